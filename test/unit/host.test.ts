// The adapters' shared toolkit, without a runtime: admission, delivery seen through the
// body where a runtime reports none (Bun, Workers), the drain, and the options.
import { describe, expect, it } from 'vitest'
import { after, respond } from '../../src/index.ts'
import type { TaskReport } from '../../src/types.ts'
import { Host } from '../../src/host/host.ts'
import { hostConfig, listenConfig } from '../../src/host/options.ts'
import { formatUrl } from '../../src/host/server.ts'
import { macrotask } from '../../src/macrotask.ts'

const request = () => new Request('http://x.test/job?id=1')

/** A host whose reports are recorded; `fetch` is the app. */
function hosted(fetch: (request: Request, env: unknown, ctx: any) => Response | Promise<Response>, options = {}) {
  const reports: TaskReport[] = []
  const host = new Host(hostConfig('handle(app, options)', fetch, { ...options, onTaskEnd: (r) => reports.push(r), onError: () => {} }), macrotask)
  return { host, reports }
}

/** Reads a body to its end, one chunk at a time, telling `each` what it read so far. */
async function readAll(response: Response, each: (text: string) => void = () => {}): Promise<string> {
  const reader = response.body!.getReader()
  let text = ''
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return text
    text += new TextDecoder().decode(value)
    each(text)
  }
}

const nextTurn = () => new Promise((resolve) => setTimeout(resolve, 5))
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

describe('delivery seen through the body, where the runtime reports none', () => {
  it('releases a task once the handler has returned, not while it still works', async () => {
    const order: string[] = []
    const { host } = hosted(async (_, __, ctx) => {
      after(ctx, () => void order.push('task'))
      await nextTurn()
      order.push('returning')
      return new Response('ok')
    })
    const response = await host.handleWatchingBody(request(), {})
    expect(await response.text()).toBe('ok')
    await host.close()
    expect(order).toEqual(['returning', 'task'])
  })

  it.each([
    ['chunked', { 'transfer-encoding': 'chunked' }],
    ['an event stream', { 'content-type': 'text/event-stream; charset=utf-8' }],
  ])('holds the task of a %s body until the body was read to its end', async (_, headers) => {
    const ranAfter: string[] = []
    let read = ''
    const { host } = hosted((_, __, ctx) => {
      let sent = 0
      // A chunk every few ms, as a real stream: a task released at return would run mid-body.
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          await nextTurn()
          if (sent++ < 3) controller.enqueue(new TextEncoder().encode(`chunk ${sent}\n`))
          else controller.close()
        },
      })
      return respond(ctx, new Response(body, { headers }), () => void ranAfter.push(read))
    })
    const response = await host.handleWatchingBody(request(), {})
    expect(await readAll(response, (text) => (read = text))).toBe('chunk 1\nchunk 2\nchunk 3\n')
    await host.close()
    expect(ranAfter).toEqual(['chunk 1\nchunk 2\nchunk 3\n'])
  })

  it('does not wrap a JSON body no task waits on: the handler’s own response goes out', async () => {
    let given: Response | undefined
    const { host } = hosted(() => (given = Response.json({ ok: true })))
    expect(await host.handleWatchingBody(request(), {})).toBe(given)
    await host.close()
  })

  it.each([
    ['a plain new Response(stream)', {}],
    ['a text stream, as AI SDKs send it', { 'content-type': 'text/plain; charset=utf-8' }],
  ])('holds the task of %s until the last chunk', async (_, headers) => {
    const ranAfter: string[] = []
    let read = ''
    const { reports, host } = hosted((_, __, ctx) => {
      let sent = 0
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          await nextTurn()
          if (sent++ < 3) controller.enqueue(new TextEncoder().encode(`${sent}`))
          else controller.close()
        },
      })
      return respond(ctx, new Response(body, { headers }), () => void ranAfter.push(read))
    })
    const response = await host.handleWatchingBody(request(), {})
    expect(await readAll(response, (text) => (read = text))).toBe('123')
    await host.close()
    expect(ranAfter).toEqual(['123'])
    expect(reports[0]).toMatchObject({ status: 'ok', delivery: 'body-end' })
  })

  it('holds a task registered inside a stream’s callback, after the handler returned, until the last chunk', async () => {
    const ranAfter: string[] = []
    let read = ''
    const { host, reports } = hosted((_, __, ctx) => {
      let sent = 0
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          await nextTurn()
          if (sent === 1) after(ctx, () => void ranAfter.push(read))
          if (sent++ < 3) controller.enqueue(new TextEncoder().encode(`${sent}`))
          else controller.close()
        },
      })
      return new Response(body)
    })
    const response = await host.handleWatchingBody(request(), {})
    expect(await readAll(response, (text) => (read = text))).toBe('123')
    await host.close()
    expect(ranAfter).toEqual(['123'])
    expect(reports[0]).toMatchObject({ delivery: 'body-end' })
  })

  it('hands a large sized body over in chunks of at most 64 KiB, and its task waits for the last one', async () => {
    let started = -1
    let taken = 0
    const { host, reports } = hosted((_, __, ctx) => respond(ctx, new Response(new Uint8Array(1_000_000)), () => void (started = taken)))
    const response = await host.handleWatchingBody(request(), {})
    const reader = response.body!.getReader()
    const sizes: number[] = []
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      sizes.push(value.byteLength)
      taken += value.byteLength
      await nextTurn()
      expect(started).toBe(-1)
    }
    await host.close()
    expect(Math.max(...sizes)).toBe(64 * 1024)
    expect(taken).toBe(1_000_000)
    expect(started).toBe(1_000_000)
    expect(reports[0]).toMatchObject({ delivery: 'body-end' })
  })

  it.each([
    ['without a body', () => new Response(null, { status: 204 })],
    ['with a JSON body', () => Response.json({ ok: true })],
    ['with a small Content-Length', () => new Response('small', { headers: { 'content-length': '5' } })],
  ])('a response %s goes out untouched and releases its tasks when the handler returns: delivery "returned"', async (_, make) => {
    let given: Response | undefined
    const { host, reports } = hosted((_, __, ctx) => (given = respond(ctx, make(), () => {})))
    expect(await host.handleWatchingBody(request(), {})).toBe(given)
    await host.close()
    expect(reports[0]).toMatchObject({ status: 'ok', delivery: 'returned' })
  })

  it('a HEAD response, whose body no runtime sends, releases its tasks when the handler returns', async () => {
    const { host, reports } = hosted((_, __, ctx) => respond(ctx, new Response('a body the runtime drops'), () => {}))
    await host.handleWatchingBody(new Request('http://x.test/', { method: 'HEAD' }), {})
    await host.close()
    expect(reports[0]).toMatchObject({ status: 'ok', delivery: 'returned' })
  })

  it('a handler that returns no Response (Bun after server.upgrade()) still releases its tasks', async () => {
    const { host, reports } = hosted((_, __, ctx) => {
      after(ctx, () => {})
      return undefined as unknown as Response
    })
    expect(await host.handleWatchingBody(request(), {})).toBeUndefined()
    await host.close()
    expect(reports[0]).toMatchObject({ status: 'ok', delivery: 'returned' })
  })

  it('with the runtime’s own completion, waits for it after the body: delivery "confirmed"', async () => {
    let complete!: () => void
    const completed = new Promise<void>((resolve) => (complete = resolve))
    let ran = false
    const { host, reports } = hosted((_, __, ctx) => respond(ctx, new Response('sized'), () => void (ran = true)))
    expect(await (await host.handleWatchingBody(request(), {}, undefined, completed)).text()).toBe('sized')
    await nextTurn()
    expect(ran).toBe(false)
    complete()
    await host.close()
    expect(reports[0]).toMatchObject({ status: 'ok', delivery: 'confirmed' })
  })

  it('releases the task of a streamed body the client cancels, once', async () => {
    let ran = 0
    const { host } = hosted((_, __, ctx) => {
      const body = new ReadableStream<Uint8Array>({ pull: (c) => c.enqueue(new TextEncoder().encode('x')) })
      return respond(ctx, new Response(body, { headers: { 'transfer-encoding': 'chunked' } }), () => void ran++)
    })
    const response = await host.handleWatchingBody(request(), {})
    const reader = response.body!.getReader()
    await reader.read()
    await reader.cancel(new Error('client left'))
    await host.close()
    expect(ran).toBe(1)
  })

  it('releases the task of a streamed body that errors midway, and the error reaches the reader', async () => {
    let ran = 0
    const { host } = hosted((_, __, ctx) => {
      let sent = 0
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < 1) controller.enqueue(new TextEncoder().encode('first\n'))
          else controller.error(new Error('the body failed midway'))
        },
      })
      return respond(ctx, new Response(body, { headers: { 'content-type': 'text/event-stream' } }), () => void ran++)
    })
    const response = await host.handleWatchingBody(request(), {})
    await expect(readAll(response)).rejects.toThrow('the body failed midway')
    await host.close()
    expect(ran).toBe(1)
  })

  it('runs the tasks registered before the handler threw, sync or async', async () => {
    const ran: string[] = []
    // Not an async function: /now throws synchronously, /later rejects a turn later.
    const { host } = hosted((req, _, ctx) => {
      after(ctx, () => void ran.push(new URL(req.url).pathname))
      if (req.url.endsWith('/now')) throw new Error('handler broke')
      return nextTurn().then(() => Promise.reject(new Error('handler broke later')))
    })
    expect(() => host.handleWatchingBody(new Request('http://x/now'), {})).toThrow('handler broke')
    await expect(host.handleWatchingBody(new Request('http://x/later'), {})).rejects.toThrow('handler broke later')
    await host.close()
    expect(ran.sort()).toEqual(['/later', '/now'])
  })

  it('hands every task to the platform’s own waitUntil', async () => {
    const handed: Promise<unknown>[] = []
    const { host, reports } = hosted((_, __, ctx) => respond(ctx, new Response('ok'), [() => {}, () => {}]))
    await (await host.handleWatchingBody(request(), {}, { waitUntil: (p) => void handed.push(p) })).text()
    expect(handed).toHaveLength(2)
    await Promise.all(handed)
    expect(reports).toHaveLength(2)
  })
})

describe('reports', () => {
  it('measure durationMs from the task’s start, not from its registration', async () => {
    let release!: () => void
    const completed = new Promise<void>((resolve) => (release = resolve))
    let reportedAt = 0
    let ran = { from: 0, to: 0 }
    const task = async () => {
      const from = performance.now()
      await sleep(5)
      ran = { from, to: performance.now() }
    }
    const reports: TaskReport[] = []
    const host = new Host(
      hostConfig('handle(app, options)', (_: Request, __: unknown, ctx: any) => respond(ctx, new Response('ok'), task), {
        onTaskEnd: (report) => {
          reportedAt = performance.now()
          reports.push(report)
        },
      }),
      macrotask,
    )
    await (await host.handleWatchingBody(request(), {}, undefined, completed)).text()
    // Delivery is held back 100 ms after registration; the task can only start after it.
    await sleep(100)
    const releasedAt = performance.now()
    release()
    await host.close()
    expect(reports).toHaveLength(1)
    expect(reports[0].durationMs).toBeGreaterThanOrEqual(ran.to - ran.from)
    expect(reports[0].durationMs).toBeLessThanOrEqual(reportedAt - releasedAt)
  })
})

describe('admission', () => {
  it('refuses at maxPendingTasks with 503 + Retry-After, running no handler, and takes requests again once below', async () => {
    let handled = 0
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    const { host } = hosted(
      (_, __, ctx) => {
        handled++
        return respond(ctx, new Response('ok'), () => held)
      },
      { maxPendingTasks: 1 },
    )
    const accepted = await host.handleWatchingBody(request(), {})
    expect(accepted.status).toBe(200)
    expect(await accepted.text()).toBe('ok')
    const refused = await host.handleWatchingBody(request(), {})
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('1')
    expect(refused.headers.get('connection')).toBeNull()
    expect(await refused.text()).toBe('Too many pending tasks\n')
    expect(handled).toBe(1)
    release()
    await host.supervisor.idle()
    const again = await host.handleWatchingBody(request(), {})
    expect(again.status).toBe(200)
    await again.text()
    await host.close()
  })

  it('refuses once closing with 503 + Connection: close, and close() is the same promise every time', async () => {
    const { host } = hosted(() => new Response('ok'))
    const closing = host.close()
    expect(host.close()).toBe(closing)
    const refused = await host.handleWatchingBody(request(), {})
    expect(refused.status).toBe(503)
    expect(refused.headers.get('connection')).toBe('close')
    expect(await refused.text()).toBe('Server is shutting down\n')
    expect(await closing).toEqual({ completed: 0, abandoned: 0 })
  })
})

describe('the drain', () => {
  it('waits for the server to stop, then for tasks, and abandons what is left at gracePeriod', async () => {
    const steps: string[] = []
    const { host, reports } = hosted((_, __, ctx) => respond(ctx, new Response('ok'), () => new Promise(() => {})), { gracePeriod: 50 })
    await host.handleWatchingBody(request(), {})
    await nextTurn()
    const result = await host.close({
      stop: async () => void steps.push('stop'),
      forceStop: () => void steps.push('forceStop'),
    })
    expect(steps).toEqual(['stop', 'forceStop'])
    expect(result).toEqual({ completed: 0, abandoned: 1 })
    expect(reports).toMatchObject([{ status: 'abandoned' }])
  })

  it('does not wait beyond gracePeriod for a server that never stops', async () => {
    const { host } = hosted(() => new Response('ok'), { gracePeriod: 20 })
    const steps: string[] = []
    const result = await host.close({ stop: () => new Promise(() => {}), forceStop: () => void steps.push('forceStop') })
    expect(steps).toEqual(['forceStop'])
    expect(result).toEqual({ completed: 0, abandoned: 0 })
  })
})

describe('options', () => {
  it('defaults: port 3000, the runtime’s host, SIGINT and SIGTERM; maxPendingTasks 10 000, gracePeriod 25 s, env {}', () => {
    expect(listenConfig('serve(app, options)')).toEqual({ port: 3000, hostname: undefined, signals: ['SIGINT', 'SIGTERM'], abandonedExitCode: 75 })
    expect(listenConfig('serve(app, options)', { port: 0, hostname: '::1', signals: false })).toEqual({
      port: 0,
      hostname: '::1',
      signals: [],
      abandonedExitCode: 75,
    })
    const config = hostConfig('handle(app, options)', () => new Response())
    expect(config).toMatchObject({ maxPendingTasks: 10_000, gracePeriod: 25_000, env: {}, onShutdown: undefined })
    const env = { a: 1 }
    const onShutdown = () => {}
    expect(hostConfig('h', () => new Response(), { env, maxPendingTasks: 1, gracePeriod: 0, onShutdown })).toMatchObject({
      env,
      maxPendingTasks: 1,
      gracePeriod: 0,
      onShutdown,
    })
  })

  it.each([
    [{ port: 1.5 }, 'serve(app, options): options.port must be a port number from 0 to 65535 (0 picks a free port), got number 1.5'],
    [{ abandonedExitCode: 256 }, 'serve(app, options): options.abandonedExitCode must be an exit code from 0 to 255, got number 256'],
    [{ hostname: 1 }, 'serve(app, options): options.hostname must be a string, got number 1'],
    [{ signals: 'SIGTERM' }, 'serve(app, options): options.signals must be an array of signal names or false, got string'],
    [{ signals: ['SIGTERM', 15] }, 'serve(app, options): options.signals must be an array of signal names or false, got an array'],
  ])('listen options: refuses %j', (options, message) => {
    expect(() => listenConfig('serve(app, options)', options as never)).toThrow(new TypeError(message))
  })

  it.each([
    [{ maxPendingTasks: 0 }, 'h: options.maxPendingTasks must be an integer of at least 1, got number 0'],
    [{ gracePeriod: -1 }, 'h: options.gracePeriod must be an integer of at least 0, got number -1'],
    [{ onShutdown: 'close' }, 'h: options.onShutdown must be a function, got string'],
  ])('host options: refuses %j', (options, message) => {
    expect(() => hostConfig('h', () => new Response(), options as never)).toThrow(new TypeError(message))
  })

  it('formats a reachable URL: wildcard hosts become localhost, IPv6 gets brackets', () => {
    expect(formatUrl(undefined, 80)).toBe('http://localhost:80/')
    expect(formatUrl('0.0.0.0', 1)).toBe('http://localhost:1/')
    expect(formatUrl('::', 2)).toBe('http://localhost:2/')
    expect(formatUrl('::1', 3)).toBe('http://[::1]:3/')
    expect(formatUrl('example.test', 4, 'https')).toBe('https://example.test:4/')
  })
})
