// In-process checks of the Node adapter's own surface; the shared behaviours are in
// test/conformance/.
import { connect } from 'node:net'
import { Hono } from 'hono'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { serve, type Server } from '../../adapters/node.ts'
import { after, respond, type TaskReport } from '../../src/index.ts'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `check` every 5 ms until it holds; fails naming `what` after 5 s. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(5)
  }
}
const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function start(app: Parameters<typeof serve>[0], options: Parameters<typeof serve>[1] = {}) {
  const server = serve(app, { port: 0, hostname: '127.0.0.1', signals: false, ...options })
  servers.push(server)
  await server.ready()
  return server
}

describe('serve() on Node', () => {
  it('gives Hono a working c.executionCtx (it throws on plain @hono/node-server)', async () => {
    const app = new Hono()
    let finish!: () => void
    let finished = false
    app.get('/', (c) => {
      c.executionCtx.waitUntil(new Promise<void>((resolve) => (finish = resolve)).then(() => void (finished = true)))
      c.executionCtx.passThroughOnException()
      return c.text(typeof c.executionCtx.props)
    })
    const server = await start(app)
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    expect(await (await fetch(server.url!)).text()).toBe('object')
    // The promise only settles when the test says so: pending is 1 until then.
    expect(server.pending).toBe(1)
    const closing = server.close()
    finish()
    expect(await closing).toEqual({ completed: 1, abandoned: 0 })
    expect(finished).toBe(true)
    expect(server.pending).toBe(0)
  })

  it('accepts a bare fetch function and passes env', async () => {
    const fetchHandler = (_req: Request, env: { greeting: string }) => new Response(env.greeting)
    const server = serve(fetchHandler, { port: 0, signals: false, env: { greeting: 'hello' } })
    servers.push(server)
    await server.ready()
    expect(await (await fetch(server.url!)).text()).toBe('hello')
  })

  it('calls onTaskEnd for every task and onError for failures, once each', async () => {
    const ends: TaskReport[] = []
    const errors: Array<[Error, TaskReport]> = []
    const app = new Hono().get('/', (c) =>
      respond(c.executionCtx, c.text('ok'), [async function good() {}, async function bad() {
        throw new Error('nope')
      }]),
    )
    const server = await start(app, { onTaskEnd: (r) => ends.push(r), onError: (e, r) => errors.push([e, r]) })
    await fetch(server.url!)
    await server.close()
    expect(ends.map((r) => `${r.name}:${r.status}`).sort()).toEqual(['bad:error', 'good:ok'])
    expect(errors).toHaveLength(1)
    expect(errors[0][0].message).toBe('nope')
    expect(errors[0][1].request).toEqual({ method: 'GET', url: server.url })
  })

  it('logs a failure as one line on stderr by default', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    const app = new Hono().get('/x', (c) =>
      respond(c.executionCtx, c.text('ok'), function exporter() {
        throw new TypeError('disk full\nsecond line')
      }),
    )
    const server = await start(app)
    await fetch(`${server.url}x`)
    await server.close()
    expect(log).toHaveBeenCalledTimes(1)
    const line = String(log.mock.calls[0][0])
    expect(line).not.toContain('\n')
    expect(line).toMatch(/^\[finish-request\] task "exporter" error after \d+ ms \(GET http:.*\/x\): TypeError: disk full second line$/)
    log.mockRestore()
  })

  it('survives an onError or onTaskEnd that throws', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    const app = new Hono().get('/', (c) => respond(c.executionCtx, c.text('ok'), () => Promise.reject(new Error('x'))))
    const server = await start(app, {
      onError: () => {
        throw new Error('reporter broke')
      },
      onTaskEnd: () => {
        throw new Error('metrics broke')
      },
    })
    await fetch(server.url!)
    await until(() => log.mock.calls.length >= 2, 'both callbacks to throw')
    expect((await fetch(server.url!)).status).toBe(200)
    await server.close()
    expect(log.mock.calls.map((c) => String(c[1]))).toEqual(
      expect.arrayContaining(['Error: reporter broke', 'Error: metrics broke']),
    )
    log.mockRestore()
  })

  it('close() resolves with how many tasks drained and how many were abandoned', async () => {
    // The quick tasks end when the test releases them, however slow the machine is.
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    const app = new Hono()
      .get('/quick', (c) => respond(c.executionCtx, c.text('ok'), () => released))
      .get('/stuck', (c) => respond(c.executionCtx, c.text('ok'), () => new Promise(() => {})))
    const failures: TaskReport[] = []
    const server = await start(app, { gracePeriod: 200, onError: (_, report) => failures.push(report) })
    await fetch(`${server.url}quick`)
    await fetch(`${server.url}quick`)
    await fetch(`${server.url}stuck`)
    expect(server.pending).toBe(3)
    const closing = server.close()
    release()
    expect(await closing).toEqual({ completed: 2, abandoned: 1 })
    expect(failures).toMatchObject([{ status: 'abandoned', error: { name: 'AbortError' } }])
    expect(server.pending).toBe(0)
  })

  it('awaits tasks registered while draining', async () => {
    const seen: string[] = []
    const app = new Hono().get('/', (c) =>
      respond(c.executionCtx, c.text('ok'), async function parent() {
        await sleep(30)
        after(c.executionCtx, async function child() {
          await sleep(30)
          seen.push('child')
        })
      }),
    )
    const server = await start(app)
    await fetch(server.url!)
    expect(await server.close()).toEqual({ completed: 2, abandoned: 0 })
    expect(seen).toEqual(['child'])
  })

  it('close() is idempotent and counts tasks that finish while it waits', async () => {
    const app = new Hono()
    let release!: () => void
    const started = new Promise<void>((markStarted) => {
      app.get('/', (c) =>
        respond(c.executionCtx, c.text('ok'), () => {
          markStarted()
          return new Promise<void>((r) => (release = r))
        }),
      )
    })
    const server = await start(app)
    await fetch(server.url!)
    const closing = server.close()
    expect(server.close()).toBe(closing)
    await started
    release()
    expect(await closing).toEqual({ completed: 1, abandoned: 0 })
  })

  it('starts the tasks of a client that stopped reading once deliveryTimeout has passed', async () => {
    const big = 'x'.repeat(32 * 1024 * 1024)
    let ran!: (at: number) => void
    const taskRan = new Promise<number>((resolve) => (ran = resolve))
    const app = new Hono().get('/', (c) => respond(c.executionCtx, c.text(big), () => ran(performance.now())))
    const server = await start(app, { deliveryTimeout: 300 })
    const { port } = new URL(server.url!)
    const socket = connect(Number(port), '127.0.0.1')
    let received = 0
    socket.on('error', () => {})
    socket.on('data', (chunk) => {
      received += chunk.length
      socket.pause() // reads nothing more: 32 MiB cannot fit in the socket buffers
    })
    const sentAt = performance.now()
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    const ranAt = await taskRan
    // Still undelivered when the task started, and not before the deadline. A lower
    // bound only (load can delay a timer, never advance it), less libuv's millisecond clock.
    expect(received).toBeLessThan(big.length)
    expect(ranAt - sentAt).toBeGreaterThanOrEqual(290)
    socket.destroy()
  })

  it('with deliveryTimeout Infinity, waits for the client however long it takes', async () => {
    const big = 'x'.repeat(32 * 1024 * 1024)
    let ranWith!: (bytes: number) => void
    const taskRan = new Promise<number>((resolve) => (ranWith = resolve))
    let received = 0
    const app = new Hono().get('/', (c) => respond(c.executionCtx, c.text(big), () => ranWith(received)))
    const server = await start(app, { deliveryTimeout: Infinity })
    const { port } = new URL(server.url!)
    const socket = connect(Number(port), '127.0.0.1')
    socket.on('error', () => {})
    socket.on('data', (chunk) => (received += chunk.length))
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    // The task only starts once the whole body left, so this client has nearly all of it.
    expect(await taskRan).toBeGreaterThan(big.length - 8 * 1024 * 1024)
    socket.destroy()
  })

  it('rejects ready() when the port is taken', async () => {
    const first = await start(() => new Response())
    const second = serve(() => new Response(), { port: Number(new URL(first.url!).port), signals: false })
    await expect(second.ready()).rejects.toThrow(/EADDRINUSE/)
    await second.close()
  })

  it.each([
    ['app', () => serve('nope' as never), /serve\(app, options\): app must have a fetch/],
    ['port', () => serve(() => new Response(), { port: -1 }), /options\.port must be a port number from 0 to 65535 \(0 picks a free port\), got number -1/],
    ['port out of range', () => serve(() => new Response(), { port: 70000 }), /options\.port must be a port number from 0 to 65535 \(0 picks a free port\), got number 70000/],
    ['option name', () => serve(() => new Response(), { gracePeriods: 5 } as never), /options\.gracePeriods is not an option; did you mean options\.gracePeriod\?/],
    ['maxPendingTasks', () => serve(() => new Response(), { maxPendingTasks: 0 }), /options\.maxPendingTasks/],
    ['gracePeriod', () => serve(() => new Response(), { gracePeriod: NaN }), /options\.gracePeriod/],
    ['taskTimeout', () => serve(() => new Response(), { taskTimeout: -1 }), /options\.taskTimeout/],
    ['onError', () => serve(() => new Response(), { onError: 'log' as never }), /options\.onError must be a function/],
    ['signals', () => serve(() => new Response(), { signals: 'SIGTERM' as never }), /options\.signals/],
    ['deliveryTimeout', () => serve(() => new Response(), { deliveryTimeout: 0 }), /options\.deliveryTimeout must be a positive/],
  ])('throws a TypeError naming a bad %s', (_, call, message) => {
    expect(call).toThrow(TypeError)
    expect(call).toThrow(message)
  })
})
