// srvx on Node as a new user first wires a Hono app to it: c.json() builds the global
// Response (undici's here, the "Hono app on the peer" row; srvx's FastResponse when
// node-srvx-fast.ts has set it). The work goes to `request.waitUntil`, handed to Hono as its executionCtx.
import type { ExecutionContext } from 'hono'
import { serve } from 'srvx'
import { createApp } from '../app.ts'
import { waitUntil } from '../schedules.ts'
import { announce, HOST, nodeHooks } from './node-hooks.ts'

const app = createApp(waitUntil, nodeHooks)
const server = serve({
  port: 0,
  hostname: HOST,
  silent: true,
  // Explicit: srvx turns its graceful shutdown off by default when CI or TEST is set.
  gracefulShutdown: true,
  fetch: (request) =>
    app.fetch(request, {}, { waitUntil: request.waitUntil!, passThroughOnException() {}, props: {} } as ExecutionContext),
})
await server.ready()
announce(server.url!)
