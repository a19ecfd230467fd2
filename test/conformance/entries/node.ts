import { serve } from 'after-response/node'
import { app, record, recordReport } from '../app.ts'
import { serveOptionsFromEnv } from './options.ts'

const server = serve(app, { ...serveOptionsFromEnv(process.env), onTaskEnd: recordReport })
await server.ready()
record('listening', { url: server.url })
