import { serve } from 'finish-request/node'
import { app, mountInspector, probe, record, recordReport } from '../app.ts'
import { serveOptionsFromEnv } from './options.ts'

process.on('unhandledRejection', () => probe.unhandledRejections++)
const server = serve(app, { ...serveOptionsFromEnv(process.env), onTaskEnd: recordReport })
probe.pending = () => server.pending
mountInspector(server)
// Registered after serve()'s own handler, so by the time this is logged it is closing.
process.on('SIGTERM', () => record('signal'))
await server.ready()
// The version lets the suite check that a runtime labelled node20 really is Node 20.
record('listening', { url: server.url, version: process.versions.node })
