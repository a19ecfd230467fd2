// P4's floor on Deno: Deno.serve, fire-and-forget (void task()), tracking nothing.
import { createApp } from '../app.ts'
import { detached } from '../schedules.ts'
import { announce, HOST, runtimeHooks } from './runtime-hooks.ts'

declare const Deno: {
  serve(options: { port: number; hostname: string; onListen(addr: { port: number }): void }, fetch: unknown): unknown
}

const app = createApp(detached, runtimeHooks)
Deno.serve({ port: 0, hostname: HOST, onListen: ({ port }) => announce(`http://${HOST}:${port}/`) }, app.fetch)
