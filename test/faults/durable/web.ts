// The web process of R7 and R9, on whichever runtime runs this file.
import process from 'node:process'
import type { App, TaskReport } from 'finish-request'
import type { ServeOptions, Server } from 'finish-request/node'
import { ledger } from '../probe.ts'
import { app } from './app.ts'

declare const Bun: unknown
declare const Deno: unknown
type Serve = (app: App, options: ServeOptions) => Server
const { serve } = (
  typeof Bun !== 'undefined'
    ? await import('finish-request/bun')
    : typeof Deno !== 'undefined'
      ? await import('finish-request/deno')
      : await import('finish-request/node')
) as { serve: Serve }

const idOf = (report: TaskReport) => new URL(report.request.url || 'http://x/').searchParams.get('id') ?? undefined

const server = serve(app, {
  port: 0,
  onError: (error, report) => ledger('error', { id: idOf(report), name: error.name, message: error.message }),
  onTaskEnd: (report) => ledger('report', { id: idOf(report), status: report.status }),
})
await server.ready()
ledger('listening', { url: server.url, pid: process.pid })
