// The inspector on a real Node server: mounted and as a plain route, its event stream,
// its bounds (watchers, history), and that it costs nothing once nobody watches.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Hono } from 'hono'
import { basicAuth } from 'hono/basic-auth'
import { afterEach, describe, expect, it } from 'vitest'
import { handle, serve, type Server } from '../../adapters/node.ts'
import { inspector, type InspectorOptions } from '../../src/inspector/index.ts'
import { after, respond, type TaskSource } from '../../src/index.ts'
import { EventStreamReader } from '../support/event-stream.ts'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const servers: Server[] = []
const aborts: AbortController[] = []
afterEach(async () => {
  for (const controller of aborts.splice(0)) controller.abort()
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

/**
 * The server itself as the source, counting who is subscribed to every event right now
 * (the history's subscription to ends only, always there, is not counted).
 */
function counted(server: Server): { source: TaskSource; subscribed: () => number } {
  let subscribed = 0
  const source: TaskSource = {
    get pending() {
      return server.pending
    },
    subscribe(listener, options) {
      if (options?.endedOnly) return server.subscribe(listener, options)
      subscribed++
      const off = server.subscribe(listener)
      return () => {
        subscribed--
        off()
      }
    },
  }
  return { source, subscribed: () => subscribed }
}

/** A Hono app with a few tasks, the inspector mounted at /_tasks. */
async function start(options: InspectorOptions = {}, serveOptions: Parameters<typeof serve>[1] = {}) {
  const app = new Hono()
  app.get('/work', (c) =>
    respond(c.executionCtx, c.text('ok'), async function work(_signal, task) {
      task.progress(1, 2)
      await sleep(Number(c.req.query('ms') ?? 20))
      task.progress(2, 2)
    }),
  )
  app.get('/quick', (c) => {
    after(c.executionCtx, function quick() {}, { name: c.req.query('name') })
    return c.text('ok')
  })
  app.get('/boom', (c) =>
    respond(c.executionCtx, c.text('ok'), function boom() {
      throw new TypeError('no such export')
    }),
  )
  const server = serve(app, { port: 0, hostname: '127.0.0.1', signals: false, onError: () => {}, ...serveOptions })
  servers.push(server)
  const { source, subscribed } = counted(server)
  app.mount('/_tasks', inspector(source, options))
  await server.ready()
  const url = (path: string) => new URL(path, server.url).href
  const get = async (path: string) => (await fetch(url(path))).text()
  return { server, url, get, subscribed }
}

async function watch(url: string): Promise<{ response: Response; stream: EventStreamReader; leave: () => void }> {
  const controller = new AbortController()
  aborts.push(controller)
  const response = await fetch(url, { signal: controller.signal })
  const stream = new EventStreamReader(response.body!)
  return { response, stream, leave: () => controller.abort() }
}

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

describe('inspector() mounted in Hono under /_tasks', () => {
  it('GET / is the page, with or without the trailing slash; anything but GET is a 405', async () => {
    const { url } = await start()
    for (const path of ['_tasks/', '_tasks']) {
      const response = await fetch(url(path))
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
      const html = await response.text()
      expect(html).toMatch(/^<!doctype html>/)
      expect(html).toContain('0 pending')
      // Self-contained: nothing is loaded from anywhere else.
      expect(html).not.toMatch(/<(link|img)\b|\bsrc=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/)
    }
    const post = await fetch(url('_tasks/'), { method: 'POST' })
    expect(post.status).toBe(405)
    expect(post.headers.get('allow')).toBe('GET, HEAD')
  })

  it('GET /events streams a snapshot, then each task registered, started, its progress and its report', async () => {
    const { url } = await start()
    const { response, stream } = await watch(url('_tasks/events'))
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    expect(response.headers.get('cache-control')).toBe('no-store')
    await stream.event((e) => e.type === 'snapshot', 'the snapshot')
    expect(await (await fetch(url('work?ms=30'))).text()).toBe('ok')
    const ended = await stream.event((e) => e.type === 'ended', 'the report')
    const mine = stream.events.filter((e) => e.id === ended.id)
    expect(mine.map((e) => e.type)).toEqual(['registered', 'started', 'progress', 'progress', 'ended'])
    expect(mine[0]).toMatchObject({ name: 'work', request: { method: 'GET', url: url('work?ms=30') }, pending: 1 })
    expect(mine.filter((e) => e.type === 'progress').map((e) => [e.done, e.total])).toEqual([[1, 2], [2, 2]])
    expect(ended).toMatchObject({ report: { name: 'work', status: 'ok', delivery: 'confirmed', request: { method: 'GET' } }, pending: 0 })
    expect(ended.report.durationMs).toBeGreaterThan(0)
  })

  it('shows a failed task with its error, as an event and on the page', async () => {
    const { url, get } = await start()
    const { stream } = await watch(url('_tasks/events'))
    await stream.event((e) => e.type === 'snapshot', 'the snapshot')
    await get('boom')
    const ended = await stream.event((e) => e.type === 'ended', 'the report')
    expect(ended.report).toMatchObject({ name: 'boom', status: 'error', error: { name: 'TypeError', message: 'no such export' } })
    const html = await get('_tasks/')
    expect(html).toContain('<span class="status">error</span></td><td class="name">boom<div class="err">TypeError: no such export</div>')
    expect(html).toContain('<ul id="failed"><li class="s-error">')
    // How its response's delivery was known, beside its duration.
    expect(html).toMatch(/<td class="dur">[^<]* <span class="delivery" title="how delivery was known">confirmed<\/span><\/td>/)
  })

  it('subscribes to the source only while a stream is open, and unsubscribes when the client leaves', async () => {
    const { server, url, get, subscribed } = await start()
    await get('quick')
    await get('_tasks/')
    const head = await fetch(url('_tasks/events'), { method: 'HEAD' })
    expect(head.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    expect(subscribed()).toBe(0)
    const one = await watch(url('_tasks/events'))
    const two = await watch(url('_tasks/events'))
    await two.stream.event((e) => e.type === 'snapshot', 'the snapshot')
    expect(subscribed()).toBe(1)
    one.leave()
    two.leave()
    await until(() => subscribed() === 0, 'the subscription to end')
    // Nobody watches: only ends are heard, and kept for whoever opens the page next.
    await get('quick?name=unseen')
    await until(() => server.pending === 0, 'the task to end')
    expect(subscribed()).toBe(0)
    expect(await get('_tasks/')).toContain('unseen')
  })

  it('shows a failure that happened while nobody watched, on the page and in the first snapshot', async () => {
    const { server, url, get } = await start({ history: 3 })
    await get('boom')
    for (let i = 1; i <= 2; i++) await get(`quick?name=task-${i}`)
    await until(() => server.pending === 0, 'the tasks to end')
    const html = await get('_tasks/')
    expect(html).toContain('<span class="status">error</span></td><td class="name">boom<div class="err">TypeError: no such export</div>')
    expect(html).toContain('<ul id="failed"><li class="s-error">')
    const { stream } = await watch(url('_tasks/events'))
    const snapshot = await stream.event((e) => e.type === 'snapshot', 'the snapshot')
    expect(snapshot.tasks.map((t: { name: string; status: string }) => [t.name, t.status])).toEqual([
      ['boom', 'error'],
      ['task-1', 'ok'],
      ['task-2', 'ok'],
    ])
    expect(snapshot.tasks[0].error).toEqual({ name: 'TypeError', message: 'no such export' })
  })

  it('keeps only the last `history` ends while nobody watches, and the ones between two watches', async () => {
    const { server, url, get, subscribed } = await start({ history: 3 })
    for (let i = 1; i <= 5; i++) await get(`quick?name=task-${i}`)
    await until(() => server.pending === 0, 'the tasks to end')
    const first = await watch(url('_tasks/events'))
    const snapshot = await first.stream.event((e) => e.type === 'snapshot', 'the snapshot')
    expect(snapshot.tasks.map((t: { name: string }) => t.name)).toEqual(['task-3', 'task-4', 'task-5'])
    first.leave()
    await until(() => subscribed() === 0, 'the watcher to leave')
    await get('boom')
    await until(() => server.pending === 0, 'the task to end')
    // Newest first: the end heard after the watcher left, then what it had seen.
    const html = await get('_tasks/')
    expect(html).toMatch(/boom[\s\S]*task-5[\s\S]*task-4/)
    expect(html).not.toContain('task-3')
  })

  it('keeps only the most recent `history` tasks', async () => {
    const { url, get } = await start({ history: 3 })
    const { stream } = await watch(url('_tasks/events'))
    await stream.event((e) => e.type === 'snapshot', 'the snapshot')
    for (let i = 1; i <= 5; i++) await get(`quick?name=task-${i}`)
    // Five tasks in a burst: as events, or (a burst larger than the history) as a snapshot.
    const seen = (e: Record<string, any>) =>
      (e.type === 'ended' && e.report.name === 'task-5') ||
      (e.type === 'snapshot' && e.tasks.some((t: { name: string; status: string }) => t.name === 'task-5' && t.status === 'ok'))
    await stream.event(seen, 'the last report')
    const later = await watch(url('_tasks/events'))
    const snapshot = await later.stream.event((e) => e.type === 'snapshot', 'the snapshot')
    expect(snapshot.history).toBe(3)
    expect(snapshot.tasks.map((t: { name: string }) => t.name)).toEqual(['task-3', 'task-4', 'task-5'])
    const html = await get('_tasks/')
    expect(html).toContain('task-5')
    expect(html).not.toContain('task-2')
  })

  it('refuses the stream past maxWatchers with a 503 that says why, and accepts again once one leaves', async () => {
    const { url } = await start({ maxWatchers: 2 })
    const one = await watch(url('_tasks/events'))
    await watch(url('_tasks/events'))
    const refused = await fetch(url('_tasks/events'))
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('5')
    expect(await refused.text()).toBe('inspector: too many watchers: 2 streams are open and maxWatchers is 2\n')
    one.leave()
    let again = await watch(url('_tasks/events'))
    while (again.response.status === 503) {
      again.leave()
      await sleep(10)
      again = await watch(url('_tasks/events'))
    }
    await again.stream.event((e) => e.type === 'snapshot', 'the snapshot')
  })

  it('sends a keep-alive comment every `heartbeat` ms', async () => {
    const { url } = await start({ heartbeat: 30 })
    const { stream } = await watch(url('_tasks/events'))
    await stream.until(() => stream.comments.length >= 2, 'two heartbeats')
    expect(stream.comments[0]).toBe(': keep-alive')
  })

  it('ends open streams when the server closes, so close() does not wait for them', async () => {
    // A grace period longer than the test: had the stream held the server, close() would time out.
    const { url, server } = await start({}, { gracePeriod: 60_000 })
    const { stream } = await watch(url('_tasks/events'))
    await stream.event((e) => e.type === 'snapshot', 'the snapshot')
    expect(await server.close()).toEqual({ completed: 0, abandoned: 0 })
    await stream.end()
    expect(stream.events.at(-1)).toMatchObject({ type: 'closing', pending: 0 })
  })
})

describe('inspector() behind Hono middleware', () => {
  it('is guarded on every path by basicAuth registered before the mount, as the README shows', async () => {
    const app = new Hono()
    const server = serve(app, { port: 0, hostname: '127.0.0.1', signals: false })
    servers.push(server)
    app.use('/_tasks/*', basicAuth({ username: 'ops', password: 'secret' }))
    app.mount('/_tasks', inspector(server))
    await server.ready()
    for (const path of ['_tasks', '_tasks/', '_tasks/events']) {
      const refused = await fetch(new URL(path, server.url))
      expect(refused.status, path).toBe(401)
      await refused.text()
    }
    const authorization = `Basic ${btoa('ops:secret')}`
    const page = await fetch(new URL('_tasks', server.url), { headers: { authorization } })
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<h1>Tasks</h1>')
  })
})

describe('inspector() of handle()', () => {
  it('watches a handler on the user\'s own http server, and its close() ends the streams', async () => {
    const app = new Hono()
    app.get('/', (c) => respond(c.executionCtx, c.text('ok'), function handled() {}))
    const handler = handle(app, { gracePeriod: 60_000 })
    app.mount('/_tasks', inspector(handler))
    const http = createServer(handler.listener)
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`
    try {
      const { stream } = await watch(`${base}_tasks/events`)
      await stream.event((e) => e.type === 'snapshot', 'the snapshot')
      await (await fetch(base)).text()
      await stream.event((e) => e.type === 'ended' && e.report.name === 'handled', 'the report')
      expect(await handler.close()).toEqual({ completed: 0, abandoned: 0 })
      await stream.end()
      expect(stream.events.at(-1)).toMatchObject({ type: 'closing' })
    } finally {
      http.closeAllConnections()
      await new Promise((resolve) => http.close(resolve))
    }
  })
})

describe('inspector() as a plain route', () => {
  it('works from a bare fetch app and from a Hono wildcard route, given the full path', async () => {
    let inspect: ((request: Request) => Response | Promise<Response>) | undefined
    const server = serve(
      (request, _env, ctx) => {
        const { pathname } = new URL(request.url)
        if (pathname.startsWith('/ops/tasks')) return inspect!(request)
        after(ctx, function plain() {})
        return new Response('ok')
      },
      { port: 0, hostname: '127.0.0.1', signals: false },
    )
    servers.push(server)
    inspect = inspector(server)
    await server.ready()
    const { stream } = await watch(new URL('ops/tasks/events', server.url).href)
    await stream.event((e) => e.type === 'snapshot', 'the snapshot')
    await (await fetch(server.url!)).text()
    await stream.event((e) => e.type === 'ended' && e.report.name === 'plain', 'the report')
    expect(await (await fetch(new URL('ops/tasks', server.url))).text()).toContain('<td class="name">plain</td>')

    const app = new Hono()
    app.get('/admin/tasks/*', (c) => inspect2(c.req.raw))
    app.get('/', (c) => respond(c.executionCtx, c.text('ok'), function viaHono() {}))
    const honoServer = serve(app, { port: 0, hostname: '127.0.0.1', signals: false })
    servers.push(honoServer)
    const inspect2 = inspector(honoServer)
    await honoServer.ready()
    const watched = await watch(new URL('admin/tasks/events', honoServer.url).href)
    await watched.stream.event((e) => e.type === 'snapshot', 'the snapshot')
    await (await fetch(honoServer.url!)).text()
    await watched.stream.event((e) => e.type === 'ended' && e.report.name === 'viaHono', 'the report')
    expect(await (await fetch(new URL('admin/tasks/', honoServer.url))).text()).toContain('viaHono')
  })
})

describe('inspector() arguments', () => {
  it('called once per request, it adds no listener per call: the same source and options share one history', async () => {
    const server = serve(() => new Response('ok'), { port: 0, hostname: '127.0.0.1', signals: false })
    servers.push(server)
    let listeners = 0
    const source: TaskSource = {
      get pending() {
        return server.pending
      },
      subscribe(listener, options) {
        listeners++
        return server.subscribe(listener, options)
      },
    }
    for (let i = 0; i < 50; i++) inspector(source)
    expect(listeners).toBe(1)
    inspector(source, { history: 10 })
    expect(listeners).toBe(2)
  })

  it('throws a TypeError naming the argument', () => {
    expect(() => inspector({} as never)).toThrow(
      new TypeError('inspector(source, options): source must be a TaskSource (what serve(), handle() or finishRequest() returns), got Object'),
    )
    const source: TaskSource = { pending: 0, subscribe: () => () => {} }
    expect(() => inspector(source, { history: 0 })).toThrow(
      new TypeError('inspector(source, options): options.history must be a positive integer, got number 0'),
    )
    expect(() => inspector(source, { maxWatchers: 1.5 })).toThrow(/options\.maxWatchers must be a positive integer, got number 1.5$/)
    expect(() => inspector(source, { heartbeat: '1' as never })).toThrow(/options\.heartbeat must be a positive integer, got string$/)
    expect(() => inspector(source, null as never)).toThrow(/options must be an object, got null$/)
  })
})
