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

// The few Deno APIs used, typed here so the package needs no Deno type definitions.
interface ServeInfo {
  completed: Promise<void>
}
interface DenoServer {
  shutdown(): Promise<void>
}
interface DenoNamespace {
  serve(
    options: { port: number; hostname?: string; onListen(addr: { hostname: string; port: number }): void },
    handler: (request: Request, info: ServeInfo) => Response | Promise<Response>,
  ): DenoServer
  env: { get(name: string): string | undefined }
  permissions: { querySync?(descriptor: { name: 'env'; variable: string }): { state: string } }
  addSignalListener(signal: string, handler: () => void): void
  removeSignalListener(signal: string, handler: () => void): void
  exit(code: number): never
}
declare const Deno: DenoNamespace

export interface DenoHandler extends Handler {
  /** For `Deno.serve(handler.fetch)`, or `export default handler` with `deno serve`. */
  fetch(request: Request, info?: ServeInfo): Response | Promise<Response>
}

/**
 * Your `Deno.serve`, our guarantees. "Delivered" is the handler info's `completed`
 * promise, once the body has also been read to its end (Deno settles `completed` when a
 * large body is handed to its server, before it is written).
 */
export function handle<Env = unknown>(app: App<Env>, options?: HandleOptions<Env>): DenoHandler {
  return denoHandler(new Host(hostConfig('handle(app, options)', app, options)))
}

/** Serves a fetch-style app with `Deno.serve`. */
export function serve<Env = unknown>(app: App<Env>, options?: ServeOptions<Env>): Server {
  const call = 'serve(app, options)'
  const host = new Host(hostConfig(call, app, options, SERVE_OPTION_NAMES))
  const listen = listenConfig(call, options, envPort())
  const { fetch } = denoHandler(host)
  let server: DenoServer | undefined

  return startServer(host, listen, {
    listen: () =>
      new Promise((resolve) => {
        server = Deno.serve(
          { port: listen.port, hostname: listen.hostname, onListen: ({ port }) => resolve(formatUrl(listen.hostname, port)) },
          fetch,
        )
      }),
    stop: () => server?.shutdown() ?? Promise.resolve(),
    // shutdown() already cut what it could; whatever is still open ends with the process.
    forceStop: () => {},
    onSignal: (signal, handler) => {
      Deno.addSignalListener(signal, handler)
      return () => Deno.removeSignalListener(signal, handler)
    },
    exit: (code) => Deno.exit(code),
  })
}

/**
 * `PORT`, if the process may read it: asked first, because reading it without
 * `--allow-env` would prompt on a terminal or throw, for an option the user never set.
 */
function envPort(): string | undefined {
  try {
    if (Deno.permissions.querySync?.({ name: 'env', variable: 'PORT' }).state !== 'granted') return undefined
    return Deno.env.get('PORT')
  } catch {
    return undefined
  }
}

function denoHandler(host: Host): DenoHandler {
  const env = host.config.env
  // `completed` settles once the body is handed to Deno's server, before a large one is
  // written: the body is watched too. Without `info` (a test, another framework) only the body tells.
  const fetch = (request: Request, info?: ServeInfo) => host.handleWatchingBody(request, env, undefined, info?.completed)
  return handlerOf<DenoHandler>(host, { fetch })
}
