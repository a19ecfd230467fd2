// finish-request's serve() on Bun, tasks registered with respond(ctx, …), at
// its best configuration for an app that always passes ctx: no per-request
// AsyncLocalStorage (`asyncContext: false`; the P6 server measures it on).
import { serve } from 'finish-request/bun'
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
