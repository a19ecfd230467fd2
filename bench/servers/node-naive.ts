// Naive: plain @hono/node-server, the handler awaits the work, then answers.
import { serve } from '@hono/node-server'
import { createApp } from '../app.ts'
import { naive } from '../schedules.ts'
import { announce, HOST, nodeHooks } from './node-hooks.ts'

serve({ fetch: createApp(naive, nodeHooks).fetch, port: 0, hostname: HOST }, (info) =>
  announce(`http://${HOST}:${info.port}/`),
)
