// P4's floor on Bun: Bun.serve, fire-and-forget (void task()), tracking nothing.
import { createApp } from '../app.ts'
import { detached } from '../schedules.ts'
import { announce, HOST, runtimeHooks } from './runtime-hooks.ts'

declare const Bun: { serve(options: object): { port: number } }

const server = Bun.serve({ port: 0, hostname: HOST, fetch: createApp(detached, runtimeHooks).fetch })
announce(`http://${HOST}:${server.port}/`)
