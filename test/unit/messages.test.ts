// What users read: the TypeErrors at call sites, the errors in reports, and the stderr
// line. Exact texts, since each one is the only clue a user gets.
import { describe, expect, it, vi } from 'vitest'
import { fetchHandlerOf, reportOptionsOf } from '../../src/host/app.ts'
import { abandonedError, timeoutError, toError } from '../../src/errors.ts'
import { callSafely, logTaskError } from '../../src/log.ts'
import { checkCount, checkTaskOptions, checkTimeout, fail } from '../../src/validate.ts'
import { hostConfig, listenConfig, SERVE_OPTION_NAMES } from '../../src/host/options.ts'
import { after, respond } from '../../src/index.ts'
import { createExecutionContext, waitOnExecutionContext } from '../../src/testing.ts'
import { Hono, type Context } from 'hono'

const call = 'f(x)'
const thrown = (fn: () => unknown): string => {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError)
    return (error as TypeError).message
  }
  throw new Error('did not throw')
}

describe('fail() describes what it got', () => {
  it.each([
    [null, 'null'],
    [undefined, 'undefined'],
    [[1], 'an array'],
    [{}, 'Object'],
    [new Map(), 'Map'],
    [Object.create(null), 'object'],
    [42, 'number 42'],
    [NaN, 'number NaN'],
    [true, 'boolean true'],
    ['text', 'string'],
    [() => {}, 'function'],
    [10n, 'bigint'],
  ])('%s → %s', (value, described) => {
    expect(thrown(() => fail(call, 'x must be fine', value))).toBe(`f(x): x must be fine, got ${described}`)
  })
})

describe('timeouts', () => {
  it('accepts a positive number up to 2^31-1, and Infinity or nothing as "none"', () => {
    expect(checkTimeout(call, 't', 1)).toBe(1)
    expect(checkTimeout(call, 't', 0.5)).toBe(0.5)
    expect(checkTimeout(call, 't', 2_147_483_647)).toBe(2_147_483_647)
    expect(checkTimeout(call, 't', Infinity)).toBeUndefined()
    expect(checkTimeout(call, 't', undefined)).toBeUndefined()
  })

  it.each([[0], [-1], [NaN], [2_147_483_648], [-Infinity], ['5'], [null]])('refuses %s', (value) => {
    expect(thrown(() => checkTimeout(call, 'options.t', value))).toMatch(
      /^f\(x\): options\.t must be a positive number of milliseconds up to 2147483647, or Infinity, got /,
    )
  })

  it('checks task options: an object, a string name, a valid timeout', () => {
    expect(checkTaskOptions(call, undefined)).toBeUndefined()
    const options = { name: 'n', timeout: 5 }
    expect(checkTaskOptions(call, options)).toBe(options)
    expect(thrown(() => checkTaskOptions(call, null))).toBe('f(x): options must be an object, got null')
    expect(thrown(() => checkTaskOptions(call, 'fast'))).toBe('f(x): options must be an object, got string')
    expect(thrown(() => checkTaskOptions(call, { name: 1 }))).toBe('f(x): options.name must be a string, got number 1')
    expect(thrown(() => checkTaskOptions(call, { timeout: 0 }))).toMatch(/^f\(x\): options\.timeout must be/)
  })
})

describe('counts', () => {
  it('accepts integers from the minimum, or nothing', () => {
    expect(() => checkCount(call, 'n', undefined, 1)).not.toThrow()
    expect(() => checkCount(call, 'n', 1, 1)).not.toThrow()
    expect(() => checkCount(call, 'n', 0, 0)).not.toThrow()
  })

  it.each([[0], [1.5], ['2'], [NaN], [Infinity]])('refuses %s with a minimum of 1', (value) => {
    expect(thrown(() => checkCount(call, 'options.n', value, 1))).toMatch(/^f\(x\): options\.n must be an integer of at least 1, got /)
  })
})

describe('an app', () => {
  it('is a bare function, or an object whose fetch keeps its this', async () => {
    const bare = () => new Response('bare')
    expect(fetchHandlerOf(call, bare)).toBe(bare)
    const app = {
      greeting: 'bound',
      fetch(this: { greeting: string }) {
        return new Response(this.greeting)
      },
    }
    const fetch = fetchHandlerOf(call, app as never)
    expect(await (await fetch(new Request('http://x/'), {}, {} as never)).text()).toBe('bound')
  })

  it.each([[null], [{}], [{ fetch: 'no' }], ['app']])('refuses %j', (app) => {
    expect(thrown(() => fetchHandlerOf(call, app as never))).toMatch(/^f\(x\): app must have a fetch\(request, env, ctx\) method or be a function, got /)
  })
})

describe('report options', () => {
  it('keeps the callbacks and timeouts, and turns taskTimeout Infinity into none', () => {
    const onError = () => {}
    const onTaskEnd = () => {}
    expect(reportOptionsOf(call, { onError, onTaskEnd, taskTimeout: 5, deliveryTimeout: 7 })).toEqual({
      onError,
      onTaskEnd,
      taskTimeout: 5,
      deliveryTimeout: 7,
    })
    expect(reportOptionsOf(call, { taskTimeout: Infinity, deliveryTimeout: Infinity })).toEqual({
      onError: undefined,
      onTaskEnd: undefined,
      taskTimeout: undefined,
      deliveryTimeout: Infinity,
    })
  })

  it.each([
    [null, 'f(x): options must be an object, got null'],
    ['x', 'f(x): options must be an object, got string'],
    [{ onError: 1 }, 'f(x): options.onError must be a function, got number 1'],
    [{ onTaskEnd: {} }, 'f(x): options.onTaskEnd must be a function, got Object'],
  ])('refuses %j', (options, message) => {
    expect(thrown(() => reportOptionsOf(call, options))).toBe(message)
  })

  it.each([['taskTimeout'], ['deliveryTimeout']])('refuses a bad %s', (name) => {
    expect(thrown(() => reportOptionsOf(call, { [name]: -1 }))).toMatch(new RegExp(`^f\\(x\\): options\\.${name} must be a positive number`))
  })
})

describe('errors in reports', () => {
  it('keeps an Error as it is, and wraps anything else once, keeping it as the cause', () => {
    const error = new RangeError('r')
    expect(toError(error)).toBe(error)
    for (const [value, message] of [
      ['text', 'non-Error thrown: text'],
      [{ code: 7 }, 'non-Error thrown: {"code":7}'],
      [42, 'non-Error thrown: 42'],
      [null, 'non-Error thrown: null'],
      [undefined, 'non-Error thrown: undefined'],
      [10n, 'non-Error thrown: 10'],
      [Symbol('s'), 'non-Error thrown: Symbol(s)'],
    ] as const) {
      const wrapped = toError(value)
      expect(wrapped).toBeInstanceOf(Error)
      expect(wrapped.message).toBe(message)
      expect(wrapped.cause).toBe(value)
    }
  })

  it('describes what JSON and String cannot, and never throws', () => {
    const cyclic = Object.create(null) as Record<string, unknown>
    cyclic.self = cyclic
    expect(toError(cyclic).message).toBe('non-Error thrown: [object Object]')
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    expect(toError(proxy).message).toBe('non-Error thrown: a value that cannot be printed')
  })

  it('names timeouts and abandonments the way AbortSignal does', () => {
    expect(timeoutError('zip', 50)).toMatchObject({ name: 'TimeoutError', message: 'task "zip" timed out after 50 ms' })
    expect(abandonedError('zip')).toMatchObject({
      name: 'AbortError',
      message: 'task "zip" was abandoned: the server closed before it finished',
    })
  })
})

describe('the stderr line', () => {
  it('is one line: name, status, whole milliseconds, request, error', () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const report = { name: 'zip', status: 'error' as const, durationMs: 12.6, delivery: 'confirmed' as const, request: { method: 'POST', url: 'http://x/e' } }
      logTaskError(new TypeError('disk\n  full'), report)
      logTaskError(new Error('e'), { ...report, status: 'timeout', request: { method: '', url: '' } })
      expect(log.mock.calls.map((c) => c[0])).toEqual([
        '[finish-request] task "zip" error after 13 ms (POST http://x/e): TypeError: disk full',
        '[finish-request] task "zip" timeout after 13 ms: Error: e',
      ])
    } finally {
      log.mockRestore()
    }
  })

  it('callSafely reports a callback that throws or rejects, and passes its arguments', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const seen: unknown[] = []
      callSafely((a: number, b: string) => void seen.push(a, b), 1, 'two')
      expect(seen).toEqual([1, 'two'])
      callSafely(() => {
        throw new Error('sync')
      })
      callSafely(() => Promise.reject(new Error('async')))
      await new Promise((resolve) => setImmediate(resolve))
      expect(log.mock.calls.map((c) => [c[0], (c[1] as Error).message])).toEqual([
        ['[finish-request] onError/onTaskEnd threw:', 'sync'],
        ['[finish-request] onError/onTaskEnd threw:', 'async'],
      ])
    } finally {
      log.mockRestore()
    }
  })
})

describe('the usual mistakes, each told for what it is', () => {
  // Each call is made inside a real Hono route, as users write them; `task` is a real task.
  const task = async () => {}
  const cases: Array<[string, (c: Context) => unknown, string]> = [
    [
      'the ctx after the response',
      (c) => respond(c.json({}) as Response, c.executionCtx as never, task as never),
      'respond(response, task): arguments in the wrong order, as in respond(response, ctx, task): write respond(ctx, response, task), or leave ctx out: respond(response, task)',
    ],
    [
      'the task before the response',
      (c) => respond(task as never, c.text('ok') as never),
      'respond(ctx, response, task): arguments in the wrong order, as in respond(task, response): write respond(response, task), or respond(ctx, response, task)',
    ],
    [
      'the task before the response, with ctx',
      (c) => respond(c.executionCtx, task as never, c.text('ok') as never),
      'respond(ctx, response, task): arguments in the wrong order, as in respond(ctx, task, response): write respond(ctx, response, task)',
    ],
    [
      'a Promise of a Response, with ctx',
      (c) => respond(c.executionCtx, Promise.resolve(c.text('ok')) as never, task),
      'respond(ctx, response, task): response must be a Response (did you forget await?), got Promise',
    ],
    [
      'a Promise of a Response, without ctx',
      (c) => respond(Promise.resolve(c.text('ok')) as never, task),
      'respond(response, task): response must be a Response (did you forget await?), got Promise',
    ],
    [
      "Hono's c instead of c.executionCtx",
      (c) => respond(c as never, c.text('ok'), task),
      'respond(ctx, response, task): ctx must be an ExecutionContext: pass c.executionCtx, not c, got Context',
    ],
    [
      'after() given a response',
      (c) => after(c.executionCtx, c.text('ok') as never),
      'after(ctx, task): after() takes no response: to send one and run a task once it is delivered, use respond(response, task), got Response',
    ],
    [
      'the ctx after the task',
      (c) => after(task, c.executionCtx as never),
      'after(task): arguments in the wrong order, as in after(task, ctx): write after(ctx, task), or leave ctx out: after(task)',
    ],
    [
      'a misspelt task option',
      (c) => after(c.executionCtx, task, { timout: 5 } as never),
      'after(ctx, task): options.timout is not an option; did you mean options.timeout?',
    ],
    [
      'a task option of another call',
      (c) => respond(c.executionCtx, c.text('ok'), task, { names: 'zip' } as never),
      'respond(ctx, response, task): options.names is not an option; did you mean options.name?',
    ],
  ]

  it.each(cases)('%s', async (_, call, message) => {
    let thrown: unknown
    const app = new Hono().get('/', (c) => {
      try {
        call(c)
      } catch (error) {
        thrown = error
      }
      return c.text('ok')
    })
    const ctx = createExecutionContext()
    await app.fetch(new Request('http://x/'), {}, ctx)
    await waitOnExecutionContext(ctx)
    expect(thrown).toBeInstanceOf(TypeError)
    expect((thrown as TypeError).message).toBe(message)
  })
})

describe('option names', () => {
  it.each([
    ['prot', 'port'],
    ['gracePeriods', 'gracePeriod'],
    ['hostName', 'hostname'],
    ['ontaskend', 'onTaskEnd'],
    ['maxPending', 'maxPendingTasks'],
    ['signal', 'signals'],
  ])('serve(app, { %s }) names %s', (typo, meant) => {
    expect(() => listen({ [typo]: 1 })).toThrow(
      new TypeError(`serve(app, options): options.${typo} is not an option; did you mean options.${meant}?`),
    )
  })

  it('each runtime refuses them at the call, with its own extra names known', async () => {
    const node = await import('../../adapters/node.ts')
    const bun = await import('../../adapters/bun.ts')
    const deno = await import('../../adapters/deno.ts')
    const app = () => new Response()
    for (const serve of [node.serve, bun.serve, deno.serve]) {
      expect(() => serve(app, { prot: 3000 } as never)).toThrow('serve(app, options): options.prot is not an option; did you mean options.port?')
    }
    for (const handle of [node.handle, bun.handle, deno.handle]) {
      // handle() does not listen: a port is not one of its options.
      expect(() => handle(app, { port: 3000 } as never)).toThrow(/^handle\(app, options\): options\.port is not an option; did you mean options\.\w+\?$/)
    }
    expect(() => node.handle(app, { autoCleanupIncomming: false } as never)).toThrow('did you mean options.autoCleanupIncoming?')
    expect(() => node.handle(app, { overrideGlobalObjects: false, autoCleanupIncoming: false })).not.toThrow()
  })

  it('worker(), queue(), jobs.define(), jobs.work(), a definition, createExecutionContext() and inspector() refuse them too', async () => {
    const { worker, queue: cloudflareQueue } = await import('../../adapters/cloudflare.ts')
    const { queue } = await import('../../adapters/bullmq.ts')
    const { inspector } = await import('../../src/inspector/index.ts')
    const app = () => new Response()
    expect(() => worker(app, { onTaskEnds: () => {} } as never)).toThrow('worker(app, options): options.onTaskEnds is not an option; did you mean options.onTaskEnd?')
    expect(() => cloudflareQueue({ binding: 'Q', whenDwn: 'run' } as never)).toThrow('queue(options): options.whenDwn is not an option; did you mean options.whenDown?')
    const jobs = queue({ connection: 'redis://127.0.0.1:1', name: 'names' })
    expect(() => queue({ connection: 'redis://127.0.0.1:1', name: 'x', prefx: 'b' } as never)).toThrow('options.prefx is not an option; did you mean options.prefix?')
    expect(() => jobs.define('x', () => {}, { attempt: 2 } as never)).toThrow('jobs.define(name, handler, options): options.attempt is not an option; did you mean options.attempts?')
    expect(() => jobs.work({ concurency: 2 } as never)).toThrow('jobs.work(options): options.concurency is not an option; did you mean options.concurrency?')
    const define = jobs.define('y', () => {})
    expect(() => define.enqueue({}, { ID: 'a' } as never)).toThrow('options.ID is not an option; did you mean options.id?')
    expect(() => createExecutionContext({ timeout: 5 } as never)).toThrow(
      'createExecutionContext(options): options.timeout is not an option; did you mean options.taskTimeout?',
    )
    const source = { pending: 0, subscribe: () => () => {} }
    expect(() => inspector(source, { histroy: 5 } as never)).toThrow('inspector(source, options): options.histroy is not an option; did you mean options.history?')
  })
})

describe('ports', () => {
  it.each([
    [{ port: '8080' }, undefined, 8080],
    [{ port: 0 }, undefined, 0],
    [{ port: 65535 }, undefined, 65535],
    [{}, '4000', 4000],
    [{ port: 5000 }, '4000', 5000],
    [{}, undefined, 3000],
    [{}, '', 3000],
  ])('%j with PORT=%s listens on %d', (options, env, port) => {
    expect(listen(options, env).port).toBe(port)
  })

  it.each([
    [{ port: 70000 }, undefined, 'options.port must be a port number from 0 to 65535 (0 picks a free port), got number 70000'],
    [{ port: -1 }, undefined, 'options.port must be a port number from 0 to 65535 (0 picks a free port), got number -1'],
    [{ port: 1.5 }, undefined, 'options.port must be a port number from 0 to 65535 (0 picks a free port), got number 1.5'],
    [{ port: 'http' }, undefined, 'options.port must be a port number from 0 to 65535 (0 picks a free port), got "http"'],
    [{}, '3000abc', 'the PORT environment variable (used as no options.port was given) must be a port number from 0 to 65535 (0 picks a free port), got "3000abc"'],
  ])('%j with PORT=%s is a TypeError at the call', (options, env, message) => {
    expect(() => listen(options, env)).toThrow(new TypeError(`serve(app, options): ${message}`))
  })
})

function listen(options: object, envPort?: string) {
  hostConfig('serve(app, options)', () => new Response(), options, SERVE_OPTION_NAMES)
  return listenConfig('serve(app, options)', options, envPort)
}
