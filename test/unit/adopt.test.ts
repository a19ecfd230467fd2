// Next.js's after(promise), runInContext() for unit tests, and what the middlewares
// refuse at the call site.
import { describe, expect, it } from 'vitest'
import { after, respond } from '../../src/index.ts'
import { createExecutionContext, runInContext, waitOnExecutionContext } from '../../src/testing.ts'
import { Adoption } from '../../src/host/adoption.ts'
import { batched } from '../../src/macrotask.ts'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('after(promise), respond(response, promise)', () => {
  it('tracks a running promise: counted while pending, reported once as "promise", or by options.name', async () => {
    const ctx = createExecutionContext()
    let resolve!: () => void
    const running = new Promise<void>((r) => (resolve = r))
    after(ctx, running)
    const response = new Response('ok')
    expect(respond(ctx, response, sleep(5), { name: 'audit' })).toBe(response)
    let settled = false
    const reports = waitOnExecutionContext(ctx).then((r) => ((settled = true), r))
    await sleep(20)
    // The first promise has not settled: waitOnExecutionContext still waits for it.
    expect(settled).toBe(false)
    resolve()
    expect((await reports).map((r) => `${r.name}:${r.status}`)).toEqual(['audit:ok', 'promise:ok'])
  })

  it('a rejected promise is one error report, never an unhandled rejection', async () => {
    const ctx = createExecutionContext()
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      runInContext(ctx, () => after(Promise.reject(new Error('nope'))))
      const reports = await waitOnExecutionContext(ctx)
      expect(reports).toMatchObject([{ name: 'promise', status: 'error', error: { message: 'nope' } }])
      await sleep(10)
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })

  it('a promise past options.timeout is reported timeout and no longer waited for', async () => {
    const ctx = createExecutionContext()
    after(ctx, new Promise(() => {}), { timeout: 20, name: 'stuck' })
    expect(await waitOnExecutionContext(ctx)).toMatchObject([{ name: 'stuck', status: 'timeout', error: { name: 'TimeoutError' } }])
  })

  it('anything else is still a TypeError naming the argument', () => {
    const ctx = createExecutionContext()
    expect(() => after(ctx, 42 as never)).toThrow(new TypeError('after(ctx, task): task must be a function, a promise or a durable task, got number 42'))
  })
})

describe('runInContext(ctx, fn)', () => {
  /** A service that knows nothing of ctx, as the code under test would be. */
  function sendWelcome(user: string, sent: string[]): string {
    after(async function welcomeMail() {
      await sleep(1)
      sent.push(user)
    })
    return `welcome ${user}`
  }

  it('code calling the ctx-free forms runs as inside ctx; waitOnExecutionContext returns its reports', async () => {
    const ctx = createExecutionContext({ request: new Request('http://app.test/signup') })
    const sent: string[] = []
    expect(runInContext(ctx, () => sendWelcome('ada', sent))).toBe('welcome ada')
    expect(sent).toEqual([])
    const reports = await waitOnExecutionContext(ctx)
    expect(sent).toEqual(['ada'])
    expect(reports).toMatchObject([{ name: 'welcomeMail', status: 'ok', request: { method: 'GET', url: 'http://app.test/signup' } }])
  })

  it('keeps ctx across awaits in fn, and returns its promise', async () => {
    const ctx = createExecutionContext()
    const sent: string[] = []
    await runInContext(ctx, async () => {
      await sleep(1)
      sendWelcome('grace', sent)
    })
    expect(await waitOnExecutionContext(ctx)).toHaveLength(1)
    expect(sent).toEqual(['grace'])
  })

  it('outside it, the same code throws the ctx-free forms\' TypeError', () => {
    expect(() => sendWelcome('x', [])).toThrow(/^after\(task\): no request is being handled here/)
  })

  it('refuses a ctx of another origin and a non-function', () => {
    expect(() => runInContext({ waitUntil() {} } as never, () => {})).toThrow(
      new TypeError('runInContext(ctx, fn): ctx must come from createExecutionContext(), got Object'),
    )
    expect(() => runInContext(createExecutionContext(), 'x' as never)).toThrow(new TypeError('runInContext(ctx, fn): fn must be a function, got string'))
  })
})

describe('finishRequest(options) checks its options at the call', () => {
  const call = 'finishRequest(options)'
  it.each([
    ['a non-object', 'x', 'options must be an object, got string'],
    ['env, which the framework passes itself', { env: {} }, 'options.env is not an option of a middleware: the framework passes its own env, got Object'],
    ['bad signals', { signals: 'SIGTERM' }, 'options.signals must be an array of signal names or false, got string'],
    ['a bad gracePeriod', { gracePeriod: -1 }, 'options.gracePeriod must be an integer of at least 0, got number -1'],
  ])('%s', (_, options, message) => {
    expect(() => new Adoption(call, options as never, batched())).toThrow(new TypeError(`${call}: ${message}`))
  })
})
