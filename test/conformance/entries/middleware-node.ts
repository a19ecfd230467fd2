// Hono's own Node server, with the finishRequest() middleware: no serve() of ours.
import { serve } from '@hono/node-server'
import { probe, record } from '../app.ts'
import { adopted } from './middleware.ts'

process.on('unhandledRejection', () => probe.unhandledRejections++)
process.on('SIGTERM', () => record('signal'))
const app = adopted(process.env)
serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, ({ port }) =>
  record('listening', { url: `http://127.0.0.1:${port}/`, version: process.versions.node }),
)
