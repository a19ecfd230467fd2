import { Host, type ServeOptions } from '../src/host.ts'
import { formatUrl, startServer, type Server } from '../src/lifecycle.ts'
import { ReturnGate } from '../src/return-gate.ts'
import type { App } from '../src/types.ts'

export type { ServeOptions, Server }
export type { DrainResult } from '../src/supervisor.ts'

// The few Bun APIs used, typed here so the package needs no Bun type definitions.
interface BunServer {
  port: number
  stop(closeActiveConnections?: boolean): Promise<void>
}
interface BunNamespace {
  serve(options: { port: number; hostname?: string; fetch(request: Request): Response | Promise<Response> }): BunServer
}
declare const Bun: BunNamespace

/**
 * Serves a fetch-style app with `Bun.serve`. Bun reports no delivery, so a request's
 * tasks are released once its handler has returned (the server's shared timer then
 * waits about 1 ms, by which time Bun has written the response), or, for a streamed
 * body, once the stream has ended (see ReturnGate).
 */
export function serve<Env = unknown>(app: App<Env>, options?: ServeOptions<Env>): Server {
  const host = new Host(app, options)
  let server: BunServer | undefined

  const fetch = (request: Request): Response | Promise<Response> => {
    const gate = new ReturnGate()
    const result = host.handle(request, ReturnGate.watch, gate)
    if (!(result instanceof Promise)) return gate.returnedWith(result)
    return result.then(
      (response) => gate.returnedWith(response),
      (error: unknown) => {
        gate.threw()
        throw error
      },
    )
  }

  return startServer(host, {
    listen: async () => {
      server = Bun.serve({ port: host.port, hostname: host.hostname, fetch })
      return formatUrl(host.hostname, server.port)
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
