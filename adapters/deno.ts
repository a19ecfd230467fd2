import { Host, type ServeOptions } from '../src/host.ts'
import { formatUrl, startServer, type Server } from '../src/lifecycle.ts'
import type { App } from '../src/types.ts'

export type { ServeOptions, Server }
export type { DrainResult } from '../src/supervisor.ts'

// The few Deno APIs used, typed here so the package needs no Deno type definitions.
interface DenoServer {
  shutdown(): Promise<void>
}
interface DenoNamespace {
  serve(
    options: { port: number; hostname?: string; onListen(addr: { hostname: string; port: number }): void },
    handler: (request: Request, info: { completed: Promise<void> }) => Response | Promise<Response>,
  ): DenoServer
  addSignalListener(signal: string, handler: () => void): void
  removeSignalListener(signal: string, handler: () => void): void
  exit(code: number): never
}
declare const Deno: DenoNamespace

/**
 * Serves a fetch-style app with `Deno.serve`. "Delivered" is the handler info's
 * `completed` promise: the whole body, streamed or not, has been handed over.
 */
export function serve<Env = unknown>(app: App<Env>, options?: ServeOptions<Env>): Server {
  const host = new Host(app, options)
  let server: DenoServer | undefined

  return startServer(host, {
    listen: () =>
      new Promise((resolve) => {
        server = Deno.serve(
          {
            port: host.port,
            hostname: host.hostname,
            onListen: ({ port }) => resolve(formatUrl(host.hostname, port)),
          },
          (request, info) => host.handle(request, watchCompleted, info),
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

/** completed settles when the response is done, sent or failed. */
function watchCompleted(info: { completed: Promise<void> }, delivered: () => void): void {
  info.completed.then(delivered, delivered)
}
