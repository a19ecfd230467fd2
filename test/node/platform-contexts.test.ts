// Inside a request on Vercel or under Next.js, the ctx-free forms need no middleware: they
// hand each task to the waitUntil of the request context the platform publishes. Each test
// runs a real HTTP server that installs that context as the platform's runtime does (an
// object with get() at a global symbol, backed by the runtime's own AsyncLocalStorage;
// read from @vercel/functions 3.9's get-context.js and Next.js's
// server/after/builtin-request-context.ts) and a bare function app that imports nothing
// but finish-request; a real client calls it.
import { AsyncLocalStorage } from 'node:async_hooks'
import { serve, type ServerType } from '@hono/node-server'
import { waitUntil as vercelWaitUntil } from '@vercel/functions'
import { after, respond } from 'finish-request'
import { afterEach, describe, expect, it } from 'vitest'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface Platform {
  /** Every promise handed to this request's waitUntil, and when it settled. */
  handed: Array<{ settledAt?: number; outcome?: 'fulfilled' | 'rejected' }>
  answeredAt?: number
}

const servers: ServerType[] = []
const symbols = [Symbol.for('@vercel/request-context'), Symbol.for('@next/request-context')]
afterEach(async () => {
  for (const symbol of symbols) delete (globalThis as Record<symbol, unknown>)[symbol]
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))))
})

/** A server that runs `app` in the platform's request context published at `symbol`. */
async function platformServer(symbol: symbol, app: (request: Request) => Response | Promise<Response>) {
  const requests = new AsyncLocalStorage<{ waitUntil(promise: Promise<unknown>): void }>()
  ;(globalThis as Record<symbol, unknown>)[symbol] = { get: () => requests.getStore() }
  const platforms: Platform[] = []
  const url = await new Promise<string>((resolve) => {
    const server = serve(
      {
        fetch: async (request) => {
          const platform: Platform = { handed: [] }
          platforms.push(platform)
          const context = {
            waitUntil(promise: Promise<unknown>) {
              const entry: Platform['handed'][number] = {}
              platform.handed.push(entry)
              promise.then(
                () => Object.assign(entry, { settledAt: performance.now(), outcome: 'fulfilled' }),
                () => Object.assign(entry, { settledAt: performance.now(), outcome: 'rejected' }),
              )
            },
          }
          const response = await requests.run(context, app, request)
          platform.answeredAt = performance.now()
          return response
        },
        port: 0,
        hostname: '127.0.0.1',
      },
      ({ port }) => resolve(`http://127.0.0.1:${port}/`),
    )
    servers.push(server)
  })
  return { url, platforms }
}

describe.each([
  ['Vercel', symbols[0]],
  ['Next.js', symbols[1]],
])('inside a request on %s, without any middleware', (_, symbol) => {
  it('after(task) and respond(response, task) run after the answer, each handed to the platform\'s waitUntil, which never rejects', async () => {
    const ran: Array<{ name: string; at: number }> = []
    const { url, platforms } = await platformServer(symbol, (request) => {
      after(async function audit() {
        await sleep(20)
        ran.push({ name: 'audit', at: performance.now() })
      })
      after(function failing() {
        throw new Error('boom')
      })
      return respond(Response.json({ path: new URL(request.url).pathname }), function mail() {
        ran.push({ name: 'mail', at: performance.now() })
      })
    })
    expect(await (await fetch(`${url}signup`)).json()).toEqual({ path: '/signup' })
    const [platform] = platforms
    for (let i = 0; i < 100 && platform.handed.some((h) => !h.outcome); i++) await sleep(10)
    expect(platform.handed).toHaveLength(3)
    // The failing task is reported (on stderr, with no onError here), and the platform sees it settle, not reject.
    expect(platform.handed.map((h) => h.outcome)).toEqual(['fulfilled', 'fulfilled', 'fulfilled'])
    expect(ran.map((r) => r.name).sort()).toEqual(['audit', 'mail'])
    for (const task of ran) expect(task.at).toBeGreaterThan(platform.answeredAt!)
    // The platform is told a task is over once it is: audit's promise settled after audit ran.
    expect(Math.max(...platform.handed.map((h) => h.settledAt!))).toBeGreaterThanOrEqual(ran.find((r) => r.name === 'audit')!.at)
  })

  it('after(promise) hands the running promise to the platform too, each request to its own context', async () => {
    const { url, platforms } = await platformServer(symbol, async (request) => {
      const id = new URL(request.url).searchParams.get('id')!
      await sleep(Math.random() * 10)
      after(sleep(Number(id)))
      return new Response(id)
    })
    const ids = Array.from({ length: 20 }, (_, i) => String(i + 1))
    expect(await Promise.all(ids.map((id) => fetch(`${url}?id=${id}`).then((r) => r.text())))).toEqual(ids)
    expect(platforms).toHaveLength(20)
    for (const platform of platforms) expect(platform.handed).toHaveLength(1)
  })
})

it("@vercel/functions' own waitUntil and ours read the same context", async () => {
  const { url, platforms } = await platformServer(symbols[0], () => {
    vercelWaitUntil(sleep(1))
    after(() => {})
    return new Response('ok')
  })
  await (await fetch(url)).text()
  expect(platforms[0].handed).toHaveLength(2)
})

it('without a platform context, the ctx-free forms still name the way out', () => {
  expect(() => after(() => {})).toThrow(/^after\(task\): no request is being handled here/)
})
