// The floor: the app served by plain @hono/node-server, no background work.
import { serve } from '@hono/node-server'
import { createApp } from '../app.ts'
import { none } from '../schedules.ts'
import { announce, HOST, nodeHooks } from './node-hooks.ts'

serve({ fetch: createApp(none, nodeHooks).fetch, port: 0, hostname: HOST }, (info) =>
  announce(`http://${HOST}:${info.port}/`),
)
