// The control of the Hono middleware row on Deno (issue 22): bare Deno.serve with one no-op
// async Hono middleware running the rest of the chain in AsyncLocalStorage.run().
import { AsyncLocalStorage } from 'node:async_hooks'
import { Hono } from 'hono'
import { createApp } from '../app.ts'
import { none } from '../schedules.ts'
import { announce, HOST, runtimeHooks } from './runtime-hooks.ts'

declare const Deno: {
  serve(options: { port: number; hostname: string; onListen(addr: { port: number }): void }, fetch: unknown): unknown
}

const storage = new AsyncLocalStorage<{ request: Request }>()
const app = new Hono()
app.use(async (c, next) => {
  await storage.run({ request: c.req.raw }, next)
})
app.route('/', createApp(none, runtimeHooks))
Deno.serve({ port: 0, hostname: HOST, onListen: ({ port }) => announce(`http://${HOST}:${port}/`) }, app.fetch)
