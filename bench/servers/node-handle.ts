// finish-request's handle() with its defaults, the user's own node:http server:
// `http.createServer(handle(app).listener)`, tasks registered with respond(ctx, …).
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { handle } from 'finish-request/node'
import { createApp } from '../app.ts'
import { afterResponse } from '../schedules.ts'
import { announce, HOST, nodeHooks } from './node-hooks.ts'

const handler = handle(createApp(afterResponse, nodeHooks), {
  // P4 keeps 100 000 tasks pending on purpose: lift admission control above that.
  maxPendingTasks: Number(process.env.BENCH_MAX_PENDING) || undefined,
})
const server = createServer(handler.listener)
server.listen(0, HOST, () => announce(`http://${HOST}:${(server.address() as AddressInfo).port}/`))
