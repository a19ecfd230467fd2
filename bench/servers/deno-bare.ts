// Deno's floor: the app on Deno.serve, no background work.
import { createApp } from '../app.ts'
import { none } from '../schedules.ts'
import { announce, HOST, runtimeHooks } from './runtime-hooks.ts'

declare const Deno: {
  serve(options: { port: number; hostname: string; onListen(addr: { port: number }): void }, fetch: unknown): unknown
}

const app = createApp(none, runtimeHooks)
Deno.serve({ port: 0, hostname: HOST, onListen: ({ port }) => announce(`http://${HOST}:${port}/`) }, app.fetch)
