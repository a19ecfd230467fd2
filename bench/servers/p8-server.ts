// P8: finish-request's serve() on Node with the inspector mounted at /inspector/, so the
// bench can open inspector pages while it measures P3 on the same server.
import { serve } from 'finish-request/node'
import { createApp } from '../app.ts'
import { afterResponse } from '../schedules.ts'
import { announce, HOST, nodeHooks } from './node-hooks.ts'

// Through a variable: the bench type-checks before finish-request/inspector is merged.
const INSPECTOR_ENTRY = 'finish-request/inspector'
const { inspector } = (await import(INSPECTOR_ENTRY)) as {
  inspector(source: unknown): (request: Request) => Response | Promise<Response>
}

const app = createApp(afterResponse, nodeHooks)
let inspect: ((request: Request) => Response | Promise<Response>) | undefined
// Mounted before serving; the handler exists once serve() has returned its source.
app.mount('/inspector', (request) => inspect!(request))
const server = serve(app, { port: 0, hostname: HOST, maxPendingTasks: 1_000_000 })
inspect = inspector(server)
await server.ready()
announce(server.url!)
