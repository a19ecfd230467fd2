// The Hono middleware with its defaults: the app on plain @hono/node-server, made to
// finish requests by `app.use(finishRequest())` from finish-request/hono, tasks
// registered with respond(c.executionCtx, …), which the middleware provides.
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { finishRequest } from 'finish-request/hono'
import { createApp } from '../app.ts'
import { afterResponse } from '../schedules.ts'
import { announce, HOST, nodeHooks } from './node-hooks.ts'

const app = new Hono()
// P4 keeps 100 000 tasks pending on purpose: lift admission control above that.
app.use(finishRequest({ maxPendingTasks: Number(process.env.BENCH_MAX_PENDING) || undefined }))
app.route('/', createApp(afterResponse, nodeHooks))
serve({ fetch: app.fetch, port: 0, hostname: HOST }, (info) => announce(`http://${HOST}:${info.port}/`))
