import { RequestContext } from '../src/context.ts'
import { ReturnGate } from '../src/return-gate.ts'
import { Supervisor } from '../src/supervisor.ts'
import { fetchHandlerOf, reportOptionsOf } from '../src/app.ts'
import type { App, ExecutionContext, ReportOptions } from '../src/types.ts'

export type WorkerOptions = ReportOptions

/** The module-worker shape workerd calls; other handlers (scheduled, queue…) pass through. */
export interface ExportedHandler<Env = unknown> {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response>
  [handler: string]: unknown
}

const PASS_THROUGH = ['scheduled', 'queue', 'email', 'tail', 'trace', 'test'] as const

/**
 * Wraps an app for Cloudflare Workers. Each task is handed to the platform's own
 * `ctx.waitUntil`, and starts once the handler has returned its Response and a
 * macrotask has passed. Workers cancels waitUntil work about 30 s after the response.
 */
export function worker<Env = unknown>(app: App<Env>, options: WorkerOptions = {}): ExportedHandler<Env> {
  const call = 'worker(app, options)'
  const fetch = fetchHandlerOf(call, app)
  const reportOptions = reportOptionsOf(call, options)
  // workerd forbids timers and AbortControllers at module scope: create on first request.
  let supervisor: Supervisor | undefined

  const handler: ExportedHandler<Env> = {
    async fetch(request, env, ctx) {
      supervisor ??= new Supervisor(reportOptions)
      const gate = new ReturnGate()
      const context = new RequestContext(supervisor, request, ReturnGate.watch, gate, ctx)
      let response: Response
      try {
        response = await fetch(request, env, context)
      } catch (error) {
        gate.threw()
        throw error
      }
      return gate.returnedWith(response)
    },
  }
  if (typeof app === 'object') {
    for (const name of PASS_THROUGH) {
      const own = (app as unknown as Record<string, unknown>)[name]
      if (typeof own === 'function') handler[name] = own.bind(app)
    }
  }
  return handler
}
