// P8: finish-request's serve() on Node with the inspector mounted at /inspector/, so the
// bench can open inspector pages while it measures P3 on the same server.
import { inspector } from 'finish-request/inspector'
import { serve } from 'finish-request/node'
import { createApp } from '../app.ts'
import { afterResponse } from '../schedules.ts'
import { announce, HOST, nodeHooks } from './node-hooks.ts'

const app = createApp(afterResponse, nodeHooks)
let inspect: ((request: Request) => Response | Promise<Response>) | undefined
// Mounted before serving; the handler exists once serve() has returned its source.
app.mount('/inspector', (request) => inspect!(request))
const server = serve(app, { port: 0, hostname: HOST, maxPendingTasks: 1_000_000 })
inspect = inspector(server)
await server.ready()
announce(server.url!)
