// finish-request's serve() on Bun, tasks registered with respond().
import { serve } from 'finish-request/bun'
import { createApp } from '../app.ts'
import { afterResponse } from '../schedules.ts'
import { announce, HOST } from './announce.ts'

const server = serve(createApp(afterResponse), { port: 0, hostname: HOST })
await server.ready()
announce(server.url!)
