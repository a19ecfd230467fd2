// The control of the Hono middleware row (issue 22): bare @hono/node-server with one
// no-op async Hono middleware that runs the rest of the chain in AsyncLocalStorage.run(),
// no background work: what any middleware with a per-request context costs a Hono app.
import { AsyncLocalStorage } from 'node:async_hooks'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { createApp } from '../app.ts'
import { none } from '../schedules.ts'
import { announce, HOST, nodeHooks } from './node-hooks.ts'

const storage = new AsyncLocalStorage<{ request: Request }>()
const app = new Hono()
app.use(async (c, next) => {
  await storage.run({ request: c.req.raw }, next)
})
app.route('/', createApp(none, nodeHooks))
serve({ fetch: app.fetch, port: 0, hostname: HOST }, (info) => announce(`http://${HOST}:${info.port}/`))
