import { serve } from 'finish-request/bun'
import { app, mountInspector, record, recordReport } from '../app.ts'
import { serveOptionsFromEnv } from './options.ts'

const server = serve(app, { ...serveOptionsFromEnv(process.env), onTaskEnd: recordReport })
mountInspector(server)
// Registered after serve()'s own handler, so by the time this is logged it is closing.
process.on('SIGTERM', () => record('signal'))
await server.ready()
record('listening', { url: server.url })
