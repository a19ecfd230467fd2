// P4's reference: plain @hono/node-server starting the work and tracking nothing, so
// the heap holds the pending promise alone.
import { serve } from '@hono/node-server'
import { createApp } from '../app.ts'
import { detached } from '../schedules.ts'
import { announce, HOST, nodeHooks } from './node-hooks.ts'

serve({ fetch: createApp(detached, nodeHooks).fetch, port: 0, hostname: HOST }, (info) =>
  announce(`http://${HOST}:${info.port}/`),
)
