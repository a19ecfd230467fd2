import { RequestContext } from '../src/context.ts'
import { ReturnGate } from '../src/return-gate.ts'
import { Supervisor } from '../src/supervisor.ts'
import { fetchHandlerOf, reportOptionsOf } from '../src/app.ts'
import type { App, ExecutionContext, ReportOptions } from '../src/types.ts'
import { JobRunner } from '../src/durable/runner.ts'
import { fail } from '../src/validate.ts'
import { consumer, CloudflareQueue } from './cloudflare-queues.ts'

export { queue, CloudflareQueue, type CloudflareQueueOptions } from './cloudflare-queues.ts'
export type { JobDefinition, JobHandler, JobOptions, EnqueueOptions } from './cloudflare-queues.ts'

export interface WorkerOptions extends ReportOptions {
  /** Durable job queues (`queue({ binding })`): their producers get the env, their jobs run in `queue()`. */
  queues?: readonly CloudflareQueue<any>[]
}

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
  const queues = options.queues ?? []
  if (!Array.isArray(queues) || queues.some((q) => !(q instanceof CloudflareQueue))) {
    fail(call, 'options.queues must be an array of queue({ binding }) results', queues)
  }
  // workerd forbids timers and AbortControllers at module scope: create on first request.
  let supervisor: Supervisor | undefined

  const handler: ExportedHandler<Env> = {
    async fetch(request, env, ctx) {
      supervisor ??= new Supervisor(reportOptions)
      for (const q of queues) q.bind(env)
      const gate = new ReturnGate()
      const context = new RequestContext(supervisor, request, ReturnGate.watch, gate, ctx)
      let response: Response
      try {
        response = await fetch(request, env, context)
      } catch (error) {
        gate.threw()
        throw error
      }
      // Durable tasks are acknowledged by their queue before the response leaves.
      const persisted = context.persisted()
      if (persisted !== undefined && (await persisted)) response = unavailable()
      return gate.returnedWith(response)
    },
  }
  if (queues.length > 0) {
    if (typeof app === 'object' && typeof (app as { queue?: unknown }).queue === 'function') {
      fail(call, 'app has a queue() handler of its own and options.queues would replace it', app)
    }
    let runner: JobRunner | undefined
    handler.queue = consumer(queues, () => (runner ??= new JobRunner(reportOptions)))
  }
  if (typeof app === 'object') {
    for (const name of PASS_THROUGH) {
      const own = (app as unknown as Record<string, unknown>)[name]
      if (typeof own === 'function' && handler[name] === undefined) handler[name] = own.bind(app)
    }
  }
  return handler
}

/** A durable task's queue was down and it asked for the request to be refused. */
function unavailable(): Response {
  return new Response('Job queue unavailable\n', { status: 503, headers: { 'retry-after': '1' } })
}
