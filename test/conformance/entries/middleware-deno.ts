// Deno.serve(app.fetch), with the finishRequest() middleware: no serve() of ours.
import { probe, record } from '../app.ts'
import { adopted } from './middleware.ts'

declare const Deno: {
  serve(options: { port: number; hostname: string; onListen(address: { port: number }): void }, handler: (request: Request, info: never) => unknown): unknown
}

process.on('unhandledRejection', () => probe.unhandledRejections++)
process.on('SIGTERM', () => record('signal'))
const app = adopted(process.env)
Deno.serve({ port: 0, hostname: '127.0.0.1', onListen: ({ port }) => record('listening', { url: `http://127.0.0.1:${port}/`, version: process.versions.node }) }, app.fetch)
