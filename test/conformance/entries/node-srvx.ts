// handle(app).fetch driven by srvx on Node, which passes no @hono/node-server bindings:
// delivery can only be seen through the body.
import { serve } from 'srvx'
import { handle } from 'finish-request/node'
import { app, probe, record, recordReport } from '../app.ts'

process.on('unhandledRejection', () => probe.unhandledRejections++)
const handler = handle(app, { onTaskEnd: recordReport })
probe.pending = () => handler.pending
const server = serve({ port: 0, hostname: '127.0.0.1', silent: true, fetch: (request) => handler.fetch(request) })
await server.ready()
record('listening', { url: server.url, version: process.versions.node })
