// Bun's floor: the app on Bun.serve, no background work.
import { createApp } from '../app.ts'
import { none } from '../schedules.ts'
import { announce, HOST, runtimeHooks } from './runtime-hooks.ts'

declare const Bun: { serve(options: object): { port: number } }

const server = Bun.serve({ port: 0, hostname: HOST, fetch: createApp(none, runtimeHooks).fetch })
announce(`http://${HOST}:${server.port}/`)
