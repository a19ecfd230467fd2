// @whatwg-node/server on node:http at its best: Hono's c.json() builds the adapter's
// own Response (the one @whatwg-node/server exports, from @whatwg-node/fetch), which
// it writes to Node without going through undici. Its server context (with
// `waitUntil`) is Hono's executionCtx. Otherwise default options.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createServerAdapter, Response as WhatwgResponse } from '@whatwg-node/server'
import type { ExecutionContext } from 'hono'
import { createApp } from '../app.ts'
import { waitUntil } from '../schedules.ts'
import { announce, HOST, nodeHooks } from './node-hooks.ts'

globalThis.Response = WhatwgResponse as unknown as typeof Response

const app = createApp(waitUntil, nodeHooks)
const adapter = createServerAdapter((request, ctx) => app.fetch(request, {}, ctx as unknown as ExecutionContext))
const server = createServer(adapter)
server.listen(0, HOST, () => announce(`http://${HOST}:${(server.address() as AddressInfo).port}/`))
