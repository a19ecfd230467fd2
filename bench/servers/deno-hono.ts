// The Hono middleware with its defaults on Deno: the app on Deno.serve as Hono's docs
// show it, made to finish requests by `app.use(finishRequest())` from finish-request/hono,
// tasks registered with respond(c.executionCtx, …), which the middleware provides.
import { Hono } from 'hono'
import { finishRequest } from 'finish-request/hono'
import { createApp } from '../app.ts'
import { afterResponse } from '../schedules.ts'
import { announce, HOST, runtimeHooks } from './runtime-hooks.ts'

declare const Deno: {
  serve(options: { port: number; hostname: string; onListen(addr: { port: number }): void }, fetch: unknown): unknown
}

const app = new Hono()
// P4 keeps 100 000 tasks pending on purpose: lift admission control above that.
app.use(finishRequest({ maxPendingTasks: Number(process.env.BENCH_MAX_PENDING) || undefined }))
app.route('/', createApp(afterResponse, runtimeHooks))
Deno.serve({ port: 0, hostname: HOST, onListen: ({ port }) => announce(`http://${HOST}:${port}/`) }, app.fetch)
