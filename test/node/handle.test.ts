// handle() on Node, for servers the user runs, and what the ctx-free forms and the
// shutdown hook do there. Real servers and real clients; the shared behaviours on
// every runtime are in test/conformance/.
import { once } from 'node:events'
import { createServer, type Server as HttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve as honoServe } from '@hono/node-server'
import { Hono } from 'hono'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { handle, serve, type NodeHandler } from '../../adapters/node.ts'
import { after, respond, type ExecutionContext, type TaskReport } from '../../src/index.ts'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const cleanup: Array<() => unknown> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

async function listen(server: HttpServer): Promise<string> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  cleanup.push(() => new Promise((resolve) => server.close(resolve)))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
}

function exportApp(reports: TaskReport[], order: string[]) {
  const app = new Hono()
  app.post('/export', (c) =>
    respond(c.json({ ok: true }), async function buildZip() {
      order.push('task')
      await sleep(20)
    }),
  )
  return { app, options: { onTaskEnd: (r: TaskReport) => void reports.push(r) } }
}

describe('after(task) and respond(response, task) without ctx', () => {
  it('outside a request, throw a TypeError that starts with the call and names the way out', () => {
    handle(() => new Response()) // loads the adapter's AsyncLocalStorage, as any user of it would
    expect(() => after(() => {})).toThrow(
      new TypeError(
        'after(task): no request is being handled here: pass ctx (after(ctx, task)), or call it while a request served by serve(), handle(), worker() or a finishRequest() middleware from finish-request is being handled',
      ),
    )
    expect(() => respond(new Response(), () => {})).toThrow(/^respond\(response, task\): no request is being handled here: pass ctx \(respond\(ctx, response, task\)\)/)
  })

  it('inside a request, name a bad argument like the ctx forms do', async () => {
    const messages: string[] = []
    const handler = handle((): Response => {
      for (const bad of [() => respond(new Response(), 'zip' as never), () => after(() => {}, { timeout: -1 })]) {
        try {
          bad()
        } catch (error) {
          messages.push((error as Error).message)
        }
      }
      return new Response()
    })
    await handler.fetch(new Request('http://x/'))
    expect(messages).toEqual([
      'respond(response, task): task must be a function, a promise or a durable task, got string',
      'after(task): options.timeout must be a positive number of milliseconds up to 2147483647, or Infinity, got number -1',
    ])
  })
})

describe('handle() on Node', () => {
  it('handler.listener serves http.createServer: the answer first, then the task, reported once', async () => {
    const reports: TaskReport[] = []
    const order: string[] = []
    const { app, options } = exportApp(reports, order)
    const handler = handle(app, options)
    const url = await listen(
      createServer((req, res) => {
        res.on('finish', () => order.push('response finished'))
        void handler.listener(req, res)
      }),
    )
    const response = await fetch(`${url}export`, { method: 'POST' })
    expect(await response.json()).toEqual({ ok: true })
    const result = await handler.close()
    expect(result).toEqual({ completed: 1, abandoned: 0 })
    // Delivered on Node means the response's `finish`: the task starts after it.
    expect(order).toEqual(['response finished', 'task'])
    expect(reports).toMatchObject([{ name: 'buildZip', status: 'ok', request: { method: 'POST', url: `${url}export` } }])
  })

  it('handler.fetch serves @hono/node-server, which hands it the bindings: c.env has incoming and outgoing', async () => {
    const app = new Hono<{ Bindings: { incoming: { method: string }; outgoing: object } }>()
    app.get('/', (c) => c.json({ method: c.env.incoming.method, outgoing: typeof c.env.outgoing }))
    const handler = handle(app)
    const server = honoServe({ fetch: handler.fetch, port: 0, hostname: '127.0.0.1' })
    await once(server, 'listening')
    cleanup.push(() => new Promise((resolve) => server.close(resolve)))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    expect(await (await fetch(url)).json()).toEqual({ method: 'GET', outgoing: 'object' })
  })

  it('merges the user env with the bindings under serve()', async () => {
    const app = new Hono<{ Bindings: { greeting: string; incoming: object } }>()
    app.get('/', (c) => c.text(`${c.env.greeting} ${typeof c.env.incoming}`))
    const server = serve(app, { port: 0, hostname: '127.0.0.1', signals: false, env: { greeting: 'hi' } })
    cleanup.push(() => server.close())
    await server.ready()
    expect(await (await fetch(server.url!)).text()).toBe('hi object')
    expect(server.node.server.listening).toBe(true)
  })

  it('close() refuses new requests with 503 and Connection: close while it drains', async () => {
    let release!: () => void
    const handler: NodeHandler = handle(() =>
      respond(new Response('ok'), () => new Promise<void>((resolve) => (release = resolve))),
    )
    const url = await listen(createServer(handler.listener))
    expect(await (await fetch(url)).text()).toBe('ok')
    const closing = handler.close()
    const refused = await fetch(url)
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('1')
    expect(refused.headers.get('connection')).toBe('close')
    expect(handler.pending).toBe(1)
    release()
    expect(await closing).toEqual({ completed: 1, abandoned: 0 })
    expect(handler.pending).toBe(0)
  })
})

describe('onShutdown', () => {
  it('runs once, after the tasks drained, before close() resolves', async () => {
    const order: string[] = []
    const handler = handle(
      () =>
        respond(new Response('ok'), async () => {
          await sleep(30)
          order.push('task')
        }),
      {
        onShutdown: async (signal) => {
          await sleep(10)
          order.push(`hook aborted=${signal.aborted}`)
        },
      },
    )
    await (await handler.fetch(new Request('http://x/'))).text()
    await handler.close()
    await handler.close()
    expect(order).toEqual(['task', 'hook aborted=false'])
  })

  it('gets only what is left of gracePeriod: its signal aborts and close() does not wait beyond', async () => {
    let hookSignal: AbortSignal | undefined
    const handler = handle(() => new Response(), {
      gracePeriod: 50,
      onShutdown: (signal) => {
        hookSignal = signal
        return new Promise(() => {}) // a cleanup that never ends
      },
    })
    const aborted = new Promise((resolve) => {
      void handler.close().then(() => resolve(hookSignal?.aborted))
    })
    expect(await aborted).toBe(true)
    expect((hookSignal!.reason as DOMException).name).toBe('TimeoutError')
  })

  it('is still called, once, with its signal aborted, when tasks were abandoned at the deadline', async () => {
    const calls: boolean[] = []
    const handler = handle(() => respond(new Response('ok'), () => new Promise(() => {})), {
      gracePeriod: 50,
      onError: () => {},
      onShutdown: (signal) => void calls.push(signal.aborted),
    })
    await (await handler.fetch(new Request('http://x/'))).text()
    expect(await handler.close()).toEqual({ completed: 0, abandoned: 1 })
    await handler.close()
    expect(calls).toEqual([true])
  })

  it('a failing hook is logged, and close() still resolves', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    cleanup.push(() => logged.mockRestore())
    const handler = handle(() => new Response(), {
      onShutdown: () => {
        throw new Error('pool already closed')
      },
    })
    expect(await handler.close()).toEqual({ completed: 0, abandoned: 0 })
    expect(logged).toHaveBeenCalledWith('[finish-request] onShutdown failed:', new Error('pool already closed'))
  })

  it('must be a function', () => {
    expect(() => handle(() => new Response(), { onShutdown: 'x' as never })).toThrow(
      /^handle\(app, options\): options\.onShutdown must be a function, got string$/,
    )
  })
})

describe('asyncContext: false', () => {
  it('keeps ctx working and tasks in the request’s own AsyncLocalStorage context; the ctx-free forms say why they fail', async () => {
    const { AsyncLocalStorage } = await import('node:async_hooks')
    const tenant = new AsyncLocalStorage<string>()
    const seen: Array<string | undefined> = []
    const errors: string[] = []
    const reports: TaskReport[] = []
    const handler = handle(
      (request: Request, _env: unknown, ctx: ExecutionContext) =>
        tenant.run(new URL(request.url).pathname, () => {
          try {
            after(() => {})
          } catch (error) {
            errors.push((error as Error).message)
          }
          return respond(ctx, new Response('ok'), () => void seen.push(tenant.getStore()))
        }),
      { asyncContext: false, onTaskEnd: (r) => void reports.push(r) },
    )
    const answers = await Promise.all(['a', 'b', 'c'].map((t) => handler.fetch(new Request(`http://x/${t}`))))
    expect(await Promise.all(answers.map((r) => r.text()))).toEqual(['ok', 'ok', 'ok'])
    await handler.close()
    expect(reports.map((r) => r.status)).toEqual(['ok', 'ok', 'ok'])
    expect(seen.sort()).toEqual(['/a', '/b', '/c'])
    expect(errors).toHaveLength(3)
    expect(errors[0]).toMatch(/^after\(task\): no request is being handled here \(a server in this process was started with asyncContext: false/)
  })

  it('must be a boolean', () => {
    expect(() => handle(() => new Response(), { asyncContext: 'no' as never })).toThrow(
      /^handle\(app, options\): options\.asyncContext must be a boolean, got string$/,
    )
  })
})

describe('deliveryTimeout gives up only on a response that stands still', () => {
  it('a handler still working past deliveryTimeout keeps its task waiting for the response', async () => {
    const order: string[] = []
    const server = serve(
      async () => {
        after(() => void order.push('task'))
        await sleep(300)
        order.push('returning')
        return new Response('ok')
      },
      { port: 0, hostname: '127.0.0.1', signals: false, deliveryTimeout: 100 },
    )
    cleanup.push(() => server.close())
    await server.ready()
    expect(await (await fetch(server.url!)).text()).toBe('ok')
    await expect.poll(() => order).toEqual(['returning', 'task'])
  })

  it('a stream still flowing past deliveryTimeout keeps its task waiting for the last chunk', async () => {
    const order: string[] = []
    const server = serve(
      () => {
        after(() => void order.push('task'))
        let sent = 0
        const body = new ReadableStream<Uint8Array>({
          async pull(controller) {
            await sleep(60)
            if (sent++ < 6) return controller.enqueue(new TextEncoder().encode(`${sent}`))
            order.push('last chunk')
            controller.close()
          },
        })
        return new Response(body)
      },
      { port: 0, hostname: '127.0.0.1', signals: false, deliveryTimeout: 100 },
    )
    cleanup.push(() => server.close())
    await server.ready()
    expect(await (await fetch(server.url!)).text()).toBe('123456')
    await expect.poll(() => order).toEqual(['last chunk', 'task'])
  })
})
