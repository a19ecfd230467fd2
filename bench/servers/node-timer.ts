// P1/P2's control on Node: plain @hono/node-server, the work started by setTimeout(0).
import { serve } from '@hono/node-server'
import { createApp } from '../app.ts'
import { timer } from '../schedules.ts'
import { announce, HOST, nodeHooks } from './node-hooks.ts'

serve({ fetch: createApp(timer, nodeHooks).fetch, port: 0, hostname: HOST }, (info) =>
  announce(`http://${HOST}:${info.port}/`),
)
