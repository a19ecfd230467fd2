// The control of the Hono middleware row on Bun (issue 22): bare Bun.serve with one no-op
// async Hono middleware running the rest of the chain in AsyncLocalStorage.run().
import { AsyncLocalStorage } from 'node:async_hooks'
import { Hono } from 'hono'
import { createApp } from '../app.ts'
import { none } from '../schedules.ts'
import { announce, HOST, runtimeHooks } from './runtime-hooks.ts'

declare const Bun: { serve(options: object): { port: number } }

const storage = new AsyncLocalStorage<{ request: Request }>()
const app = new Hono()
app.use(async (c, next) => {
  await storage.run({ request: c.req.raw }, next)
})
app.route('/', createApp(none, runtimeHooks))
const server = Bun.serve({ port: 0, hostname: HOST, fetch: app.fetch })
announce(`http://${HOST}:${server.port}/`)
