// handle(app).fetch called by Deno.serve without its `info` (as another framework would):
// delivery can only be seen through the body.
import { handle } from 'finish-request/deno'
import { app, probe, record, recordReport } from '../app.ts'

process.on('unhandledRejection', () => probe.unhandledRejections++)
const handler = handle(app, { onTaskEnd: recordReport })
probe.pending = () => handler.pending
declare const Deno: {
  serve(options: { port: number; hostname: string; onListen(addr: { port: number }): void }, fetch: (request: Request) => Response | Promise<Response>): unknown
}
const port = await new Promise<number>((resolve) => {
  Deno.serve({ port: 0, hostname: '127.0.0.1', onListen: ({ port }) => resolve(port) }, (request) => handler.fetch(request))
})
record('listening', { url: `http://127.0.0.1:${port}/`, version: process.versions.node })
