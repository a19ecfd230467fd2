import { AsyncLocalStorage } from 'node:async_hooks'
import { useAsyncLocalStorage } from '../src/async-context.ts'
import type { App } from '../src/types.ts'
import { handlerOf, type Handler } from '../src/host/handler.ts'
import { Host } from '../src/host/host.ts'
import { hostConfig, listenConfig, SERVE_OPTION_NAMES, type HandleOptions, type ServeOptions } from '../src/host/options.ts'
import { formatUrl, startServer, type Server } from '../src/host/server.ts'

export type { HandleOptions, Handler, ServeOptions, Server }
export type { DrainResult } from '../src/supervisor.ts'

useAsyncLocalStorage(AsyncLocalStorage)

// The few Bun APIs used, typed here so the package needs no Bun type definitions.
interface BunServer {
  port: number
  stop(closeActiveConnections?: boolean): Promise<void>
}
interface BunNamespace {
  serve(options: { port: number; hostname?: string; fetch(request: Request, server: unknown): Response | Promise<Response> }): BunServer
}
declare const Bun: BunNamespace

export interface BunHandler extends Handler {
  /** For `Bun.serve({ fetch: handler.fetch })`, or `export default handler`. */
  fetch(request: Request, server?: unknown): Response | Promise<Response>
}

/**
 * Your `Bun.serve`, our guarantees. Bun reports no delivery, so a request's tasks are
 * released once Bun has read the response's body to its end (see BodyWatch), or once
 * the handler returned a response without a body.
 */
export function handle<Env = unknown>(app: App<Env>, options?: HandleOptions<Env>): BunHandler {
  return bunHandler(new Host(hostConfig('handle(app, options)', app, options)))
}

/** Serves a fetch-style app with `Bun.serve`. */
export function serve<Env = unknown>(app: App<Env>, options?: ServeOptions<Env>): Server {
  const call = 'serve(app, options)'
  const host = new Host(hostConfig(call, app, options, SERVE_OPTION_NAMES))
  const listen = listenConfig(call, options, process.env.PORT)
  const { fetch } = bunHandler(host)
  let server: BunServer | undefined

  return startServer(host, listen, {
    listen: async () => {
      server = Bun.serve({ port: listen.port, hostname: listen.hostname, fetch })
      return formatUrl(listen.hostname, server.port)
    },
    stop: () => server?.stop() ?? Promise.resolve(),
    forceStop: () => void server?.stop(true).catch(() => {}),
    onSignal: (signal, handler) => {
      process.on(signal, handler)
      return () => void process.off(signal, handler)
    },
    exit: (code) => process.exit(code),
  })
}

function bunHandler(host: Host): BunHandler {
  const env = host.config.env
  return handlerOf<BunHandler>(host, { fetch: (request) => host.handleWatchingBody(request, env) })
}
