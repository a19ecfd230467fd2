// P1/P2's control on Deno: Deno.serve, the work started by setTimeout(0).
import { createApp } from '../app.ts'
import { timer } from '../schedules.ts'
import { announce, HOST, runtimeHooks } from './runtime-hooks.ts'

declare const Deno: {
  serve(options: { port: number; hostname: string; onListen(addr: { port: number }): void }, fetch: unknown): unknown
}

const app = createApp(timer, runtimeHooks)
Deno.serve({ port: 0, hostname: HOST, onListen: ({ port }) => announce(`http://${HOST}:${port}/`) }, app.fetch)
