// The Hono middleware inside one of our own hosts, and outside any: which of the two
// owns a request's tasks. It tells the cases apart without reading Hono's throwing
// `c.executionCtx` getter on servers known to pass no ctx (a thrown Error per request
// halved its throughput), so each way of arriving is checked here on real servers.
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { serve as honoServe } from '@hono/node-server'
import { Hono } from 'hono'
import { afterEach, describe, expect, it } from 'vitest'
import { finishRequest } from '../../adapters/hono.ts'
import { serve } from '../../adapters/node.ts'
import { respond } from '../../src/index.ts'

const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

/** An app whose task waits until released, so that who counts it as pending can be read. */
function appWith(middleware: ReturnType<typeof finishRequest>) {
  let release!: () => void
  const released = new Promise<void>((resolve) => (release = resolve))
  const app = new Hono()
  app.use(middleware)
  app.get('/task', (c) => respond(c.executionCtx, c.json({ ok: true }), () => released))
  return { app, release }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10))
  if (!condition()) throw new Error(`timed out waiting for ${what}`)
}

describe('finishRequest() inside serve()', () => {
  for (const asyncContext of [true, false]) {
    it(`leaves the request to serve() (asyncContext: ${asyncContext}): its tasks are the server's`, async () => {
      const middleware = finishRequest({ signals: false })
      const { app, release } = appWith(middleware)
      const server = serve(app, { port: 0, hostname: '127.0.0.1', signals: false, asyncContext })
      cleanup.push(() => server.close())
      await server.ready()
      expect(await (await fetch(`${server.url}task`)).json()).toEqual({ ok: true })
      await until(() => server.pending === 1, "the task pending on the server")
      expect(middleware.pending).toBe(0)
      release()
      await until(() => server.pending === 0, 'the task to end')
    })
  }
})

describe('finishRequest() on plain @hono/node-server', () => {
  it('owns the request: the task is the middleware’s, and runs after the response', async () => {
    const middleware = finishRequest({ signals: false })
    const { app, release } = appWith(middleware)
    const server = honoServe({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
    await once(server, 'listening')
    cleanup.push(() => new Promise((resolve) => server.close(resolve)))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    expect(await (await fetch(`${url}task`)).json()).toEqual({ ok: true })
    await until(() => middleware.pending === 1, 'the task pending on the middleware')
    release()
    await until(() => middleware.pending === 0, 'the task to end')
  })

  it('owns a request made from inside a task of one of our hosts, which passes it no ctx', async () => {
    const middleware = finishRequest({ signals: false })
    const inner = new Hono()
    inner.use(middleware)
    inner.get('/inner', (c) => respond(c.executionCtx, c.text('inner'), () => {}))
    let answered: Promise<string> | undefined
    const outer = new Hono()
    outer.get('/outer', (c) =>
      respond(c.executionCtx, c.text('outer'), () => {
        // Still in the outer request's async context: the inner request has no ctx of ours.
        answered = Promise.resolve(inner.request('/inner')).then((response) => response.text())
        return answered
      }),
    )
    const server = serve(outer, { port: 0, hostname: '127.0.0.1', signals: false })
    cleanup.push(() => server.close())
    await server.ready()
    expect(await (await fetch(`${server.url}outer`)).text()).toBe('outer')
    await until(() => answered !== undefined, 'the task to make the inner request')
    expect(await answered).toBe('inner')
  })
})
