// srvx on Node at its documented best: Hono's c.json() builds srvx's FastResponse
// (https://srvx.h3.dev/guide/node#fastresponse), set as the global Response exactly as
// srvx's own Node benchmark does (test/bench-node/srvx-fast.mjs). The work goes to
// `request.waitUntil`, handed to Hono as its executionCtx.
import type { ExecutionContext } from 'hono'
import { FastResponse, serve } from 'srvx'
import { createApp } from '../app.ts'
import { waitUntil } from '../schedules.ts'
import { announce, HOST, nodeHooks } from './node-hooks.ts'

globalThis.Response = FastResponse as unknown as typeof Response

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
