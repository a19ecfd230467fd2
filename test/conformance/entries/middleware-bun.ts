// Bun.serve({ fetch: app.fetch }), with the finishRequest() middleware: no serve() of ours.
import { probe, record } from '../app.ts'
import { adopted } from './middleware.ts'

declare const Bun: { serve(options: { port: number; hostname: string; fetch: (request: Request, server: unknown) => unknown }): { port: number } }

process.on('unhandledRejection', () => probe.unhandledRejections++)
process.on('SIGTERM', () => record('signal'))
const app = adopted(process.env)
const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: app.fetch })
record('listening', { url: `http://127.0.0.1:${server.port}/`, version: process.versions.node })
