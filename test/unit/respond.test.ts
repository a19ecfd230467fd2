import { describe, expect, it, vi } from 'vitest'
import { after, respond } from '../../src/index.ts'
import { batched } from '../../src/macrotask.ts'
import { createExecutionContext, waitOnExecutionContext } from '../../src/testing.ts'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('respond()', () => {
  it('returns the very same Response and runs the task afterwards', async () => {
    const ctx = createExecutionContext()
    const response = new Response('hi')
    let ran = false
    expect(respond(ctx, response, () => void (ran = true))).toBe(response)
    expect(ran).toBe(false)
    const reports = await waitOnExecutionContext(ctx)
    expect(ran).toBe(true)
    expect(reports).toMatchObject([{ status: 'ok', name: 'anonymous' }])
  })

  it('does not start a task before the current macrotask has passed', async () => {
    const ctx = createExecutionContext()
    const order: string[] = []
    respond(ctx, new Response(), () => void order.push('task'))
    await Promise.resolve()
    order.push('microtask')
    await waitOnExecutionContext(ctx)
    expect(order).toEqual(['microtask', 'task'])
  })

  it('runs every task of an array, each with its own report', async () => {
    const ctx = createExecutionContext()
    respond(ctx, new Response(), [async function logs() {}, async function zip() {}])
    const reports = await waitOnExecutionContext(ctx)
    expect(reports.map((r) => r.name).sort()).toEqual(['logs', 'zip'])
  })

  it('names a report after options.name, else the function, else anonymous', async () => {
    const ctx = createExecutionContext()
    const named = () => {}
    after(ctx, named)
    after(ctx, named, { name: 'custom' })
    after(ctx, () => {})
    const names = (await waitOnExecutionContext(ctx)).map((r) => r.name)
    expect(names).toEqual(['named', 'custom', 'anonymous'])
  })

  it('records the request and a duration in the report', async () => {
    const ctx = createExecutionContext({ request: new Request('http://x.test/export', { method: 'POST' }) })
    const registeredAt = performance.now()
    let ran = { from: 0, to: 0 }
    after(ctx, async () => {
      const from = performance.now()
      await sleep(5)
      ran = { from, to: performance.now() }
    })
    const [report] = await waitOnExecutionContext(ctx)
    const waited = performance.now() - registeredAt
    expect(report.request).toEqual({ method: 'POST', url: 'http://x.test/export' })
    // Measured from the task's start to its end: no less than what the task saw, no
    // more than what the test waited. Bounds by other clocks, not by wall-clock guesses.
    expect(report.durationMs).toBeGreaterThanOrEqual(ran.to - ran.from)
    expect(report.durationMs).toBeLessThanOrEqual(waited)
  })
})

describe('failures', () => {
  it('reports a throw, a rejection, a thrown string and a sync throw once each', async () => {
    const unhandled = vi.fn()
    process.on('unhandledRejection', unhandled)
    try {
      const ctx = createExecutionContext()
      after(ctx, async () => {
        throw new Error('async throw')
      })
      after(ctx, () => Promise.reject(new RangeError('rejected')))
      after(ctx, () => {
        throw 'a string'
      })
      after(ctx, () => {
        throw { code: 42 }
      })
      const reports = await waitOnExecutionContext(ctx)
      // Node emits unhandledRejection once the microtask queue drains: by the next macrotask.
      await new Promise((resolve) => setImmediate(resolve))
      expect(reports).toHaveLength(4)
      expect(reports.every((r) => r.status === 'error' && r.error instanceof Error)).toBe(true)
      const messages = reports.map((r) => r.error!.message)
      expect(messages).toEqual(
        expect.arrayContaining(['async throw', 'rejected', 'non-Error thrown: a string', 'non-Error thrown: {"code":42}']),
      )
      expect(reports.find((r) => r.error!.message.includes('a string'))!.error!.cause).toBe('a string')
      expect(unhandled).not.toHaveBeenCalled()
    } finally {
      process.off('unhandledRejection', unhandled)
    }
  })

  it('reports what cannot be printed, and a thenable whose then getter throws', async () => {
    const ctx = createExecutionContext()
    const unprintable = Object.create(null) as Record<string, unknown>
    unprintable.self = unprintable
    after(ctx, function unprintableThrow() {
      throw unprintable
    })
    after(ctx, function hostileThenable() {
      return Object.defineProperty({}, 'then', {
        get() {
          throw new Error('then getter threw')
        },
      })
    })
    after(ctx, function revokedProxy() {
      const { proxy, revoke } = Proxy.revocable({}, {})
      revoke()
      throw proxy
    })
    after(ctx, function afterThem() {})
    const reports = await waitOnExecutionContext(ctx)
    expect(reports.map((r) => `${r.name}:${r.status}`)).toEqual([
      'unprintableThrow:error',
      'hostileThenable:error',
      'revokedProxy:error',
      'afterThem:ok',
    ])
    expect(reports[0].error!.message).toBe('non-Error thrown: [object Object]')
    expect(reports[0].error!.cause).toBe(unprintable)
    expect(reports[1].error!.message).toBe('then getter threw')
    expect(reports[2].error!.message).toBe('non-Error thrown: a value that cannot be printed')
  })

  it('a raw ctx.waitUntil promise that rejects is reported, never unhandled', async () => {
    const ctx = createExecutionContext()
    ctx.waitUntil(Promise.reject(new Error('raw')))
    const reports = await waitOnExecutionContext(ctx)
    expect(reports).toMatchObject([{ name: 'waitUntil', status: 'error', error: { message: 'raw' } }])
  })
})

describe('timeout', () => {
  it('aborts the signal with a TimeoutError and reports timeout, once', async () => {
    const ctx = createExecutionContext()
    let reason: unknown
    after(
      ctx,
      (signal) =>
        new Promise<void>((_, reject) => {
          signal.addEventListener('abort', () => {
            reason = signal.reason
            reject(signal.reason)
          })
        }),
      { timeout: 20, name: 'slow' },
    )
    const reports = await waitOnExecutionContext(ctx)
    expect((reason as DOMException).name).toBe('TimeoutError')
    expect(reports).toHaveLength(1)
    expect(reports[0]).toMatchObject({ name: 'slow', status: 'timeout', error: { name: 'TimeoutError' } })
  })

  it('stops waiting for a task that ignores its signal', async () => {
    const ctx = createExecutionContext({ taskTimeout: 20 })
    after(ctx, () => new Promise(() => {}))
    const [report] = await waitOnExecutionContext(ctx)
    expect(report.status).toBe('timeout')
  })
})

describe('nested tasks', () => {
  it('waitOnExecutionContext waits for tasks that tasks registered', async () => {
    const ctx = createExecutionContext()
    const done: string[] = []
    after(ctx, async function parent() {
      await sleep(10)
      after(ctx, async function child() {
        await sleep(20)
        done.push('child')
      })
      done.push('parent')
    })
    const reports = await waitOnExecutionContext(ctx)
    expect(done).toEqual(['parent', 'child'])
    expect(reports.map((r) => r.name)).toEqual(['parent', 'child'])
  })
})

describe('a foreign context', () => {
  it('hands each task to its own waitUntil, and the promise never rejects', async () => {
    const handed: Promise<unknown>[] = []
    const ctx = { waitUntil: (promise: Promise<unknown>) => void handed.push(promise) }
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    let ran = 0
    respond(ctx, new Response(), [() => void ran++, () => Promise.reject(new Error('boom'))])
    expect(handed).toHaveLength(2)
    const settled = await Promise.allSettled(handed)
    expect(settled.every((s) => s.status === 'fulfilled')).toBe(true)
    expect(ran).toBe(1)
    expect(errors).toHaveBeenCalledTimes(1)
    expect(String(errors.mock.calls[0][0])).toMatch(/task "anonymous" error .*Error: boom/)
    errors.mockRestore()
  })
})

describe('bad arguments', () => {
  const ctx = createExecutionContext()
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['a string response', () => respond(ctx, 'ok' as never, () => {}), /respond\(ctx, response, task\): response must be a Response, got string/],
    ['a missing task', () => respond(ctx, new Response(), undefined as never), /task must be a function, a promise or a durable task, got undefined/],
    ['a non-function in the array', () => respond(ctx, new Response(), [() => {}, 1 as never]), /task\[1\] must be a function, a promise or a durable task, got number 1/],
    ['a ctx without waitUntil', () => respond({} as never, new Response(), () => {}), /ctx must be an ExecutionContext with a waitUntil/],
    ['a null ctx', () => after(null as never, () => {}), /after\(ctx, task\): ctx must be .*got null/],
    ['a negative timeout', () => after(ctx, () => {}, { timeout: -1 }), /options.timeout must be a positive number .*got number -1/],
    ['a NaN timeout', () => after(ctx, () => {}, { timeout: NaN }), /options.timeout .*got number NaN/],
    ['a timeout beyond setTimeout', () => after(ctx, () => {}, { timeout: 2 ** 40 }), /options.timeout .*up to 2147483647/],
    ['a numeric name', () => after(ctx, () => {}, { name: 1 as never }), /options.name must be a string/],
    ['a non-promise to waitUntil', () => ctx.waitUntil('x' as never), /waitUntil\(promise\): promise must be a Promise, got string/],
  ]
  it.each(cases)('throws a TypeError for %s', (_, call, message) => {
    expect(call).toThrow(TypeError)
    expect(call).toThrow(message)
  })

  it('waitOnExecutionContext rejects a context it did not create', async () => {
    await expect(waitOnExecutionContext({ waitUntil() {} } as never)).rejects.toThrow(
      /waitOnExecutionContext\(ctx\): ctx must come from createExecutionContext\(\), got Object/,
    )
  })

  it('registers nothing when an argument is bad', async () => {
    const fresh = createExecutionContext()
    expect(() => respond(fresh, new Response(), [() => {}, 'x' as never])).toThrow(TypeError)
    expect(await waitOnExecutionContext(fresh)).toEqual([])
  })

  it('accepts Infinity as "no timeout", overriding the default taskTimeout', async () => {
    const fresh = createExecutionContext({ taskTimeout: 10 })
    after(fresh, () => sleep(40), { timeout: Infinity })
    expect((await waitOnExecutionContext(fresh))[0].status).toBe('ok')
  })
})

describe('batched macrotasks', () => {
  it('runs every callback of one turn, in order, with its argument, on a single later timer', async () => {
    const timers = vi.spyOn(globalThis, 'setTimeout')
    try {
      const later = batched()
      const order: string[] = []
      let turnEnded!: () => void
      const ended = new Promise<void>((resolve) => (turnEnded = resolve))
      const push = (name: string) => void order.push(name)
      later(push, 'a')
      later((name) => {
        push(name)
        turnEnded()
      }, 'b')
      await Promise.resolve()
      expect(order).toEqual([])
      await ended
      expect(order).toEqual(['a', 'b'])
      expect(timers).toHaveBeenCalledTimes(1)
      // The batch is spent: the next callback gets a timer of its own.
      await new Promise<void>((resolve) => later((name) => resolve(push(name)), 'c'))
      expect(order).toEqual(['a', 'b', 'c'])
      expect(timers).toHaveBeenCalledTimes(2)
    } finally {
      timers.mockRestore()
    }
  })
})
