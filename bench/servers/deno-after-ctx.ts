// finish-request's serve() on Deno, tasks registered with after(task): no ctx.
import { serve } from 'finish-request/deno'
import { createApp } from '../app.ts'
import { afterAnywhere } from '../schedules.ts'
import { announce, HOST, runtimeHooks } from './runtime-hooks.ts'

const server = serve(createApp(afterAnywhere, runtimeHooks), {
  port: 0,
  hostname: HOST,
  // P4 keeps 100 000 tasks pending on purpose: lift admission control above that.
  maxPendingTasks: Number(process.env.BENCH_MAX_PENDING) || undefined,
})
await server.ready()
announce(server.url!)
