// The ExecutionContext handed to apps: what it shares with the platform's own context
// (Workers), what it does alone, and the forms of respond()/after() that find it.
import { describe, expect, it, vi } from 'vitest'
import { after, respond } from '../../src/index.ts'
import type { TaskReport } from '../../src/types.ts'
import { createExecutionContext, waitOnExecutionContext } from '../../src/testing.ts'
import { Host } from '../../src/host/host.ts'
import { hostConfig } from '../../src/host/options.ts'
import { macrotask } from '../../src/macrotask.ts'

/** A Workers-like platform context: it records what it is handed. */
function platform(props: unknown = { tenant: 't1' }) {
  const handed: Promise<unknown>[] = []
  let passedThrough = 0
  return {
    handed,
    passedThrough: () => passedThrough,
    ctx: {
      props,
      waitUntil: (promise: Promise<unknown>) => void handed.push(promise),
      passThroughOnException: () => void passedThrough++,
    },
  }
}

function hosted(fetch: (request: Request, env: unknown, ctx: any) => Response | Promise<Response>) {
  const reports: TaskReport[] = []
  const host = new Host(hostConfig('worker(app, options)', fetch, { onTaskEnd: (r) => reports.push(r), onError: () => {} }), macrotask)
  return { host, reports }
}

describe('the context on a platform that has its own (Workers)', () => {
  it('reads and writes the platform’s props, and passes passThroughOnException on', async () => {
    const outer = platform()
    const seen: unknown[] = []
    const { host } = hosted((_, __, ctx) => {
      seen.push(ctx.props)
      ctx.props = { tenant: 't2' }
      ctx.passThroughOnException()
      return new Response('ok')
    })
    await host.handleWatchingBody(new Request('http://x/'), {}, outer.ctx)
    expect(seen).toEqual([{ tenant: 't1' }])
    expect(outer.ctx.props).toEqual({ tenant: 't2' })
    expect(outer.passedThrough()).toBe(1)
  })

  it('hands the platform a promise per task (and per waitUntil) that resolves when reported, never rejects', async () => {
    const outer = platform()
    const { host, reports } = hosted((_, __, ctx) => {
      ctx.waitUntil(Promise.reject(new Error('raw')))
      return respond(ctx, new Response('ok'), [() => {}, () => Promise.reject(new Error('task'))])
    })
    await host.handleWatchingBody(new Request('http://x/'), {}, outer.ctx)
    expect(outer.handed).toHaveLength(3)
    expect((await Promise.allSettled(outer.handed)).map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled'])
    expect(reports.map((r) => `${r.name}:${r.status}`).sort()).toEqual(['anonymous:error', 'anonymous:ok', 'waitUntil:error'])
  })
})

describe('the context alone (servers, tests)', () => {
  it('has props of its own, {} until set', () => {
    const ctx = createExecutionContext()
    expect(ctx.props).toEqual({})
    ctx.props = { user: 42 }
    expect(ctx.props).toEqual({ user: 42 })
    expect(() => ctx.passThroughOnException()).not.toThrow()
  })

  it('starts a task registered after delivery (by a task) without waiting for anything', async () => {
    const ctx = createExecutionContext()
    const order: string[] = []
    after(ctx, function parent() {
      order.push('parent')
      after(ctx, function child() {
        order.push('child')
      })
    })
    const reports = await waitOnExecutionContext(ctx)
    expect(order).toEqual(['parent', 'child'])
    expect(reports.map((r) => r.name)).toEqual(['parent', 'child'])
  })

  it('gives every task of an array the same options, each reported under that name', async () => {
    const ctx = createExecutionContext()
    respond(ctx, new Response(), [() => {}, () => {}], { name: 'batch' })
    expect((await waitOnExecutionContext(ctx)).map((r) => r.name)).toEqual(['batch', 'batch'])
  })

  it('reports the request it was made for, or an empty one', async () => {
    const ctx = createExecutionContext()
    after(ctx, () => {})
    expect((await waitOnExecutionContext(ctx))[0].request).toEqual({ method: '', url: '' })
  })
})

describe('a foreign context (anything with waitUntil)', () => {
  it('is adopted once: its tasks run after a macrotask, each handed to its own waitUntil', async () => {
    const outer = platform()
    const order: string[] = []
    respond(outer.ctx, new Response(), () => void order.push('first'))
    after(outer.ctx, () => void order.push('second'))
    order.push('sync')
    expect(outer.handed).toHaveLength(2)
    await Promise.all(outer.handed)
    expect(order).toEqual(['sync', 'first', 'second'])
  })

  it('logs a failure as one stderr line, as no one else would hear of it', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const outer = platform()
      after(outer.ctx, function failing() {
        throw new Error('nobody listens')
      })
      await Promise.all(outer.handed)
      expect(log).toHaveBeenCalledTimes(1)
      expect(String(log.mock.calls[0][0])).toMatch(/^\[finish-request\] task "failing" error after \d+ ms: Error: nobody listens$/)
    } finally {
      log.mockRestore()
    }
  })
})

describe('without ctx, outside a request', () => {
  it.each([
    ['after(task)', () => after(() => {}), 'after(ctx, task)'],
    ['respond(response, task)', () => respond(new Response(), () => {}), 'respond(ctx, response, task)'],
  ])('%s throws a TypeError that starts with the call and names the way out', (call, fn, form) => {
    expect(fn).toThrow(TypeError)
    expect(fn).toThrow(
      `${call}: no request is being handled here: pass ctx (${form}), or call it while a request served by serve(), handle(), worker() or a finishRequest() middleware from finish-request is being handled`,
    )
  })
})

describe('ctx.waitUntil(promise)', () => {
  it.each([
    [null, 'got null'],
    [undefined, 'got undefined'],
    [42, 'got number 42'],
    [{ then: 1 }, 'got Object'],
  ])('refuses %s with a TypeError naming it', (value, got) => {
    const ctx = createExecutionContext()
    expect(() => ctx.waitUntil(value as never)).toThrow(new TypeError(`ctx.waitUntil(promise): promise must be a Promise, ${got}`))
  })

  it('accepts any thenable, not only a native Promise', async () => {
    const ctx = createExecutionContext()
    ctx.waitUntil({ then: (resolve: () => void) => resolve() } as never)
    expect((await waitOnExecutionContext(ctx)).map((r) => r.status)).toEqual(['ok'])
  })
})
