// Stands in for @hono/node-server's `src/server.ts` when its own tests import it:
// `createAdaptorServer` and `serve` take the same options and build the same server,
// except that the request listener is finish-request's `handle(app, options).listener`.
// (The parity config points our adapter's `@hono/node-server` at the checkout's own
// `src`, so tests, listener and our adapter share one copy of its classes.)
import { appendFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer as createHttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setupWebSocket } from 'parity-checkout/websocket'
import { handle } from '../../adapters/node.ts'

type Listener = (incoming: IncomingMessage, outgoing: ServerResponse) => void
interface Listening {
  listen(port: number, hostname: string | undefined, done: () => void): unknown
  address(): AddressInfo | string | null
}

/** What the tests pass: @hono/node-server's `Options`, or a Hono app (it has `fetch`). */
interface Options {
  fetch: (request: Request, env: never) => unknown
  overrideGlobalObjects?: boolean
  autoCleanupIncoming?: boolean
  port?: number
  hostname?: string
  createServer?: (serverOptions: object, listener: Listener) => unknown
  serverOptions?: object
  websocket?: { server: { options: { noServer?: boolean } } }
}

export function createAdaptorServer(options: Options) {
  // One line per server built here, so run.ts can tell the shim was really used.
  appendFileSync(`${process.env.PARITY_COPY}/shim-servers`, '.\n')
  const handler = handle(options.fetch as (request: Request) => Response, {
    overrideGlobalObjects: options.overrideGlobalObjects,
    autoCleanupIncoming: options.autoCleanupIncoming,
  })
  const create = options.createServer ?? (createHttpServer as unknown as NonNullable<Options['createServer']>)
  const server = create(options.serverOptions ?? {}, handler.listener as Listener)
  const wss = options.websocket?.server
  if (wss) {
    if (wss.options.noServer !== true) throw new Error('WebSocket server must be created with { noServer: true } option')
    setupWebSocket({ server, fetchCallback: handler.fetch, wss })
  }
  // Typed as the checkout's ServerType by the tests that import this module.
  return server as never
}

export function serve(options: Options, listeningListener?: (info: AddressInfo) => void) {
  const server = createAdaptorServer(options) as Listening
  server.listen(options.port ?? 3000, options.hostname, () => listeningListener?.(server.address() as AddressInfo))
  return server as never
}
