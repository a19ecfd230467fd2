// The control of the default rows on Bun (issue 22): bare Bun.serve running one
// AsyncLocalStorage.run() per request and no background work.
import { AsyncLocalStorage } from 'node:async_hooks'
import { createApp } from '../app.ts'
import { none } from '../schedules.ts'
import { announce, HOST, runtimeHooks } from './runtime-hooks.ts'

declare const Bun: { serve(options: object): { port: number } }

const storage = new AsyncLocalStorage<{ request: Request }>()
const app = createApp(none, runtimeHooks)
const server = Bun.serve({ port: 0, hostname: HOST, fetch: (request: Request) => storage.run({ request }, () => app.fetch(request)) })
announce(`http://${HOST}:${server.port}/`)
