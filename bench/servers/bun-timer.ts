// P1/P2's control on Bun: Bun.serve, the work started by setTimeout(0).
import { createApp } from '../app.ts'
import { timer } from '../schedules.ts'
import { announce, HOST } from './announce.ts'

declare const Bun: { serve(options: object): { port: number } }

const server = Bun.serve({ port: 0, hostname: HOST, fetch: createApp(timer).fetch })
announce(`http://${HOST}:${server.port}/`)
