// What every runtime's entry does, given that runtime's serve().
import type { App } from 'finish-request'
import type { ServeOptions, Server } from 'finish-request/node'
import { app } from '../app.ts'
import { attach, ledger, onError, onTaskEnd, watchProcess } from '../probe.ts'
import { serveOptionsFromEnv } from '../../conformance/entries/options.ts'

export async function start(serve: (app: App, options: ServeOptions) => Server): Promise<void> {
  watchProcess()
  const server = serve(app, { ...serveOptionsFromEnv(process.env), onTaskEnd, onError })
  attach(server)
  // Registered after serve()'s own handler, so by the time this is logged it is closing.
  process.on('SIGTERM', () => ledger('signal'))
  await server.ready()
  ledger('listening', { url: server.url })
}
