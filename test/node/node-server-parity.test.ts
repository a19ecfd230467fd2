// What users of @hono/node-server rely on, under finish-request on Node: connection
// info and the raw bindings in c.env, HTTPS through createServer/serverOptions, and
// WebSocket upgrades through @hono/node-server's own upgradeWebSocket.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer as createHttpServer, IncomingMessage, ServerResponse } from 'node:http'
import { createServer as createHttpsServer, get as httpsGet } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serve as honoNodeServe, upgradeWebSocket } from '@hono/node-server'
import { getConnInfo } from '@hono/node-server/conninfo'
import { Hono } from 'hono'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { handle, serve, type NodeEnv } from '../../adapters/node.ts'

type Env = NodeEnv<{ greeting: string }>
const closers: Array<() => Promise<unknown>> = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()))
})

function parityApp() {
  return new Hono<{ Bindings: Env }>()
    .get('/conninfo', (c) => c.json(getConnInfo(c)))
    .get('/env', (c) =>
      c.json({
        greeting: c.env.greeting,
        incoming: c.env.incoming instanceof IncomingMessage,
        outgoing: c.env.outgoing instanceof ServerResponse,
      }),
    )
}

/** Each way a Node user runs the app, listening on a free port; resolves to its URL. */
const ways: Record<string, (app: ReturnType<typeof parityApp>, env: { greeting: string }) => Promise<string>> = {
  'serve()': async (app, env) => {
    const server = serve(app, { port: 0, hostname: '127.0.0.1', signals: false, env })
    closers.push(() => server.close())
    await server.ready()
    return server.url!
  },
  'http.createServer(handle().listener)': (app, env) =>
    new Promise((resolve) => {
      const handler = handle(app, { env })
      const server = createHttpServer(handler.listener).listen(0, '127.0.0.1', () =>
        resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`),
      )
      closers.push(() => new Promise((done) => server.close(done)).then(() => handler.close()))
    }),
  "@hono/node-server's serve({ fetch: handle().fetch })": (app, env) =>
    new Promise((resolve) => {
      const handler = handle(app, { env })
      const server = honoNodeServe({ fetch: handler.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
        resolve(`http://127.0.0.1:${info.port}/`),
      )
      closers.push(() => new Promise((done) => server.close(done)).then(() => handler.close()))
    }),
}

describe.each(Object.keys(ways))('%s', (way) => {
  it('getConnInfo(c) from @hono/node-server/conninfo reports the client', async () => {
    const url = await ways[way](parityApp(), { greeting: 'hi' })
    const info = await (await fetch(`${url}conninfo`)).json()
    expect(info).toMatchObject({ remote: { address: '127.0.0.1', addressType: 'IPv4', port: expect.any(Number) } })
  })

  it("c.env has @hono/node-server's incoming and outgoing, merged with the user's env", async () => {
    const url = await ways[way](parityApp(), { greeting: 'hi' })
    expect(await (await fetch(`${url}env`)).json()).toEqual({ greeting: 'hi', incoming: true, outgoing: true })
  })
})

function selfSignedCertificate(): { key: Buffer; cert: Buffer } | string {
  const dir = mkdtempSync(join(tmpdir(), 'finish-request-tls-'))
  try {
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')]
    const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost']
    execFileSync('openssl', args, { stdio: 'ignore' })
    return { key: readFileSync(key), cert: readFileSync(cert) }
  } catch (error) {
    return `openssl could not make a certificate here: ${(error as Error).message}`
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const tls = selfSignedCertificate()

describe('serve() with options of @hono/node-server', () => {
  it.skipIf(typeof tls === 'string')(
    `serves HTTPS through createServer: https.createServer and serverOptions${typeof tls === 'string' ? ` (skipped: ${tls})` : ''}`,
    async () => {
      const app = new Hono().get('/', (c) => c.text(`secure ${new URL(c.req.url).protocol}`))
      const server = serve(app, {
        port: 0,
        hostname: '127.0.0.1',
        signals: false,
        createServer: createHttpsServer,
        serverOptions: tls as { key: Buffer; cert: Buffer },
      })
      closers.push(() => server.close())
      await server.ready()
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/)
      const body = await new Promise<string>((resolve, reject) => {
        httpsGet(server.url!, { rejectUnauthorized: false }, (response) => {
          let text = ''
          response.setEncoding('utf8').on('data', (chunk) => (text += chunk))
          response.on('end', () => resolve(text))
        }).on('error', reject)
      })
      expect(body).toBe('secure https:')
    },
  )

  it('upgrades WebSockets through websocket: { server } and upgradeWebSocket', async () => {
    const app = new Hono().get(
      '/ws',
      upgradeWebSocket(() => ({
        onMessage(event, ws) {
          ws.send(`echo ${event.data}`)
        },
      })),
    )
    const server = serve(app, {
      port: 0,
      hostname: '127.0.0.1',
      signals: false,
      websocket: { server: new WebSocketServer({ noServer: true }) },
    })
    closers.push(() => server.close())
    await server.ready()
    const socket = new WebSocket(`${server.url!.replace('http', 'ws')}ws`)
    closers.push(async () => socket.terminate())
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject))
    const reply = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))))
    socket.send('hi')
    expect(await reply).toBe('echo hi')
  })
})
