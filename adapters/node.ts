import { AsyncLocalStorage } from 'node:async_hooks'
import type { AddressInfo } from 'node:net'
import { createAdaptorServer, getRequestListener, type Http2Bindings, type HttpBindings, type ServerType } from '@hono/node-server'
import { useAsyncLocalStorage } from '../src/async-context.ts'
import type { App } from '../src/types.ts'
import { handlerOf, type Handler } from '../src/host/handler.ts'
import { Host } from '../src/host/host.ts'
import { watchOutgoing } from '../src/host/outgoing.ts'
import { HANDLE_OPTION_NAMES, hostConfig, listenConfig, SERVE_OPTION_NAMES, type HandleOptions, type ServeOptions } from '../src/host/options.ts'
import type { OptionNames } from '../src/validate.ts'
import { formatUrl, startServer, type Server } from '../src/host/server.ts'

export type { HandleOptions, Handler, ServeOptions, Server }
export type { DrainResult } from '../src/supervisor.ts'

useAsyncLocalStorage(AsyncLocalStorage)

type AdaptorOptions = Parameters<typeof createAdaptorServer>[0]

/** @hono/node-server's own listener options, passed through. */
export interface NodeListenerOptions {
  /** Replace the global Request/Response with @hono/node-server's lighter ones. Default true. */
  overrideGlobalObjects?: boolean
  /** Discard an unread request body once the response is sent. Default true. */
  autoCleanupIncoming?: boolean
}

export interface NodeHandleOptions<Env = unknown> extends HandleOptions<Env>, NodeListenerOptions {}

const LISTENER_OPTION_NAMES = { overrideGlobalObjects: true, autoCleanupIncoming: true } as const satisfies OptionNames<NodeListenerOptions>
const NODE_HANDLE_OPTION_NAMES = { ...HANDLE_OPTION_NAMES, ...LISTENER_OPTION_NAMES } as const satisfies OptionNames<NodeHandleOptions>

/**
 * `serve()` on Node: `handle()`'s options, where to listen, and @hono/node-server's server
 * options: `createServer` (e.g. `https.createServer`, `http2.createSecureServer`),
 * `serverOptions` (TLS keys, timeouts) and `websocket` (`{ server: new WebSocketServer({ noServer: true }) }`).
 */
export type NodeServeOptions<Env = unknown> = ServeOptions<Env> &
  NodeListenerOptions &
  Pick<AdaptorOptions, 'websocket'> & { createServer?: unknown; serverOptions?: unknown }

const NODE_SERVE_OPTION_NAMES = {
  ...SERVE_OPTION_NAMES,
  ...LISTENER_OPTION_NAMES,
  websocket: true,
  createServer: true,
  serverOptions: true,
} as const satisfies OptionNames<NodeServeOptions>

/** `c.env` on Node: @hono/node-server's bindings merged with your own `env`. */
export type NodeEnv<Env> = Env & (HttpBindings | Http2Bindings)

export interface NodeHandler extends Handler {
  /** For @hono/node-server: `serve({ fetch: handler.fetch })`; it reads `outgoing` from the bindings to see delivery. */
  fetch(request: Request, bindings?: Partial<HttpBindings | Http2Bindings>): Response | Promise<Response>
  /** For `http.createServer(handler.listener)`, `https.createServer(options, handler.listener)`, or Express. */
  listener: ReturnType<typeof getRequestListener>
}

export interface NodeServer extends Server {
  /** The underlying server (http, https or http2), e.g. for WebSocket upgrades. */
  readonly node: { server: ServerType }
}

/** Your server, our guarantees: a fetch handler and a `(req, res)` listener for Node. */
export function handle<Env = unknown>(app: App<NodeEnv<Env>>, options?: NodeHandleOptions<Env>): NodeHandler {
  return nodeHandler(new Host(hostConfig('handle(app, options)', app as App<unknown>, options, NODE_HANDLE_OPTION_NAMES)), options)
}

/**
 * Serves a fetch-style app on Node through @hono/node-server, handing it a real
 * ExecutionContext so `c.executionCtx.waitUntil()` and `respond()` work.
 */
export function serve<Env = unknown>(app: App<NodeEnv<Env>>, options?: NodeServeOptions<Env>): NodeServer {
  const call = 'serve(app, options)'
  const host = new Host(hostConfig(call, app as App<unknown>, options, NODE_SERVE_OPTION_NAMES))
  const listen = listenConfig(call, options, process.env.PORT)
  const handler = nodeHandler(host, options)
  const server = createAdaptorServer({ ...(options as object), fetch: handler.fetch } as AdaptorOptions)
  let sweeper: ReturnType<typeof setInterval> | undefined

  return startServer<NodeServer>(
    host,
    listen,
    {
      listen: () =>
        new Promise((resolve, reject) => {
          server.once('error', reject)
          server.listen(listen.port, listen.hostname, () => {
            server.off('error', reject)
            const secure = 'setSecureContext' in server
            resolve(formatUrl(listen.hostname, (server.address() as AddressInfo).port, secure ? 'https' : 'http'))
          })
        }),
      stop: () =>
        new Promise((resolve) => {
          server.close(() => resolve())
          // Keep-alive sockets go idle as their last response finishes; close them as
          // they do, rather than waiting out keepAliveTimeout.
          const idle = server as { closeIdleConnections?(): void }
          idle.closeIdleConnections?.()
          sweeper = setInterval(() => idle.closeIdleConnections?.(), 10)
        }),
      forceStop: () => {
        clearInterval(sweeper)
        ;(server as { closeAllConnections?(): void }).closeAllConnections?.()
      },
      onSignal: (signal, handler) => {
        process.on(signal, handler)
        return () => void process.off(signal, handler)
      },
      exit: (code) => process.exit(code),
    },
    { node: { server } },
  )
}

function nodeHandler(host: Host, options: NodeListenerOptions = {}): NodeHandler {
  const env = host.config.env
  // With no env of the user's, @hono/node-server's own bindings object is the env: no copy per request.
  const own = env !== null && typeof env === 'object' && Object.keys(env).length > 0
  const fetch = (request: Request, bindings?: Partial<HttpBindings | Http2Bindings>): Response | Promise<Response> => {
    const outgoing = bindings?.outgoing
    const merged = own ? { ...(env as object), ...bindings } : (bindings ?? env)
    // Without @hono/node-server's bindings (srvx, a test, another framework) only the body can tell.
    return outgoing ? host.handle(request, merged, watchOutgoing, outgoing) : host.handleWatchingBody(request, merged)
  }
  const listener = getRequestListener(fetch, {
    overrideGlobalObjects: options.overrideGlobalObjects,
    autoCleanupIncoming: options.autoCleanupIncoming,
  })
  return handlerOf<NodeHandler>(host, { fetch, listener })
}
