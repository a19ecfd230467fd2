// The control of the default rows on Deno (issue 22): bare Deno.serve running one
// AsyncLocalStorage.run() per request and no background work.
import { AsyncLocalStorage } from 'node:async_hooks'
import { createApp } from '../app.ts'
import { none } from '../schedules.ts'
import { announce, HOST, runtimeHooks } from './runtime-hooks.ts'

declare const Deno: {
  serve(options: { port: number; hostname: string; onListen(addr: { port: number }): void }, fetch: unknown): unknown
}

const storage = new AsyncLocalStorage<{ request: Request }>()
const app = createApp(none, runtimeHooks)
Deno.serve({ port: 0, hostname: HOST, onListen: ({ port }) => announce(`http://${HOST}:${port}/`) }, (request: Request, info: unknown) =>
  storage.run({ request }, () => app.fetch(request, info)),
)
