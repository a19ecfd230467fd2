// finish-request's serve() on Node, tasks registered with after(task): no ctx, the
// request found through its per-request context.
import { serve } from 'finish-request/node'
import { createApp } from '../app.ts'
import { afterAnywhere } from '../schedules.ts'
import { announce, HOST, nodeHooks } from './node-hooks.ts'

const server = serve(createApp(afterAnywhere, nodeHooks), {
  port: 0,
  hostname: HOST,
  // P4 keeps 100 000 tasks pending on purpose: lift admission control above that.
  maxPendingTasks: Number(process.env.BENCH_MAX_PENDING) || undefined,
})
await server.ready()
announce(server.url!)
