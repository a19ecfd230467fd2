// The control of the default rows on Node 20/22 (issue 22): the bare server running one
// AsyncLocalStorage.run() per request and no background work, what an app with request
// logging or OpenTelemetry already pays for a per-request context.
import { AsyncLocalStorage } from 'node:async_hooks'
import { serve } from '@hono/node-server'
import { createApp } from '../app.ts'
import { none } from '../schedules.ts'
import { announce, HOST, nodeHooks } from './node-hooks.ts'

const storage = new AsyncLocalStorage<{ request: Request }>()
const app = createApp(none, nodeHooks)
serve(
  { fetch: (request, env) => storage.run({ request }, () => app.fetch(request, env)), port: 0, hostname: HOST },
  (info) => announce(`http://${HOST}:${info.port}/`),
)
