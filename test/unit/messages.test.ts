// What users read: the TypeErrors at call sites, the errors in reports, and the stderr
// line. Exact texts, since each one is the only clue a user gets.
import { describe, expect, it, vi } from 'vitest'
import { fetchHandlerOf, reportOptionsOf } from '../../src/host/app.ts'
import { abandonedError, timeoutError, toError } from '../../src/errors.ts'
import { callSafely, logTaskError } from '../../src/log.ts'
import { checkCount, checkTaskOptions, checkTimeout, fail } from '../../src/validate.ts'

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
