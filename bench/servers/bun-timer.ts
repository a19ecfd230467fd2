// P1/P2's control on Bun: Bun.serve, the work started by setTimeout(0).
import { createApp } from '../app.ts'
import { timer } from '../schedules.ts'
import { announce, HOST, runtimeHooks } from './runtime-hooks.ts'

declare const Bun: { serve(options: object): { port: number } }

const server = Bun.serve({ port: 0, hostname: HOST, fetch: createApp(timer, runtimeHooks).fetch })
announce(`http://${HOST}:${server.port}/`)
