import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { getRequestListener } from '@hono/node-server'
import { Host, type ServeOptions } from '../src/host.ts'
import { formatUrl, startServer, type Server } from '../src/lifecycle.ts'
import type { App } from '../src/types.ts'

export type { ServeOptions, Server }
export type { DrainResult } from '../src/supervisor.ts'

/**
 * Serves a fetch-style app on Node through @hono/node-server, handing it a real
 * ExecutionContext so `c.executionCtx.waitUntil()` and `respond()` work.
 */
export function serve<Env = unknown>(app: App<Env>, options?: ServeOptions<Env>): Server {
  const host = new Host(app, options)
  const requestListener = getRequestListener((request, bindings) =>
    host.handle(request, watchResponse, bindings.outgoing as ServerResponse),
  )
  const server = createServer(requestListener)
  let sweeper: ReturnType<typeof setInterval> | undefined

  return startServer(host, {
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject)
        server.listen(host.port, host.hostname, () => {
          server.off('error', reject)
          resolve(formatUrl(host.hostname, (server.address() as AddressInfo).port))
        })
      }),
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        // Keep-alive sockets go idle as their last response finishes; close them as
        // they do, rather than waiting out keepAliveTimeout.
        server.closeIdleConnections()
        sweeper = setInterval(() => server.closeIdleConnections(), 10)
      }),
    forceStop: () => {
      clearInterval(sweeper)
      server.closeAllConnections()
    },
    onSignal: (signal, handler) => {
      process.on(signal, handler)
      return () => process.off(signal, handler)
    },
    exit: (code) => process.exit(code),
  })
}

/**
 * "Delivered" on Node: the response's `finish`, or `close` if the client left first.
 * Node emits `close` on every response, right after `finish` (or alone when the client
 * left), so one listener serves both, without once() wrappers.
 */
function watchResponse(outgoing: ServerResponse, delivered: () => void): void {
  if (outgoing.writableFinished || outgoing.destroyed) delivered()
  else outgoing.on('close', delivered)
}
