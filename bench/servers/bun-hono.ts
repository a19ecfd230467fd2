// The Hono middleware with its defaults on Bun: the app on Bun.serve as Hono's docs
// show it, made to finish requests by `app.use(finishRequest())` from finish-request/hono,
// tasks registered with respond(c.executionCtx, …), which the middleware provides.
import { Hono } from 'hono'
import { finishRequest } from 'finish-request/hono'
import { createApp } from '../app.ts'
import { afterResponse } from '../schedules.ts'
import { announce, HOST, runtimeHooks } from './runtime-hooks.ts'

declare const Bun: { serve(options: object): { port: number } }

const app = new Hono()
// P4 keeps 100 000 tasks pending on purpose: lift admission control above that.
app.use(finishRequest({ maxPendingTasks: Number(process.env.BENCH_MAX_PENDING) || undefined }))
app.route('/', createApp(afterResponse, runtimeHooks))
const server = Bun.serve({ port: 0, hostname: HOST, fetch: app.fetch })
announce(`http://${HOST}:${server.port}/`)
