// finish-request's serve() on Deno with its defaults, as a user gets it (the request
// context on, asyncContext: true), tasks registered with respond(ctx, …): the headline row.
import { serve } from 'finish-request/deno'
import { createApp } from '../app.ts'
import { afterResponse } from '../schedules.ts'
import { announce, HOST, runtimeHooks } from './runtime-hooks.ts'

const server = serve(createApp(afterResponse, runtimeHooks), {
  port: 0,
  hostname: HOST,
  // P4 keeps 100 000 tasks pending on purpose: lift admission control above that.
  maxPendingTasks: Number(process.env.BENCH_MAX_PENDING) || undefined,
})
await server.ready()
announce(server.url!)
