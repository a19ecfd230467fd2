// finish-request's serve() on Deno, tasks registered with respond(ctx, …), with the request
// context off (`asyncContext: false`): the secondary row, for an app that always passes ctx
// and gives up after(task) without it.
import { serve } from 'finish-request/deno'
import { createApp } from '../app.ts'
import { afterResponse } from '../schedules.ts'
import { announce, HOST, runtimeHooks } from './runtime-hooks.ts'

const server = serve(createApp(afterResponse, runtimeHooks), {
  port: 0,
  hostname: HOST,
  // P4 keeps 100 000 tasks pending on purpose: lift admission control above that.
  maxPendingTasks: Number(process.env.BENCH_MAX_PENDING) || undefined,
  asyncContext: false,
})
await server.ready()
announce(server.url!)
