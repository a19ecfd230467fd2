// @whatwg-node/server on node:http: its server context (with `waitUntil`) is handed to
// Hono as the executionCtx. Default options; c.json() builds undici's global Response
// (the "Hono app on the peer" row).
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createServerAdapter } from '@whatwg-node/server'
import type { ExecutionContext } from 'hono'
import { createApp } from '../app.ts'
import { waitUntil } from '../schedules.ts'
import { announce, HOST, nodeHooks } from './node-hooks.ts'

const app = createApp(waitUntil, nodeHooks)
const adapter = createServerAdapter((request, ctx) => app.fetch(request, {}, ctx as unknown as ExecutionContext))
const server = createServer(adapter)
server.listen(0, HOST, () => announce(`http://${HOST}:${(server.address() as AddressInfo).port}/`))
