import { useAsyncLocalStorage, type AsyncLocalStorageClass } from '../src/async-context.ts'
import { macrotask } from '../src/macrotask.ts'
import type { App, ExecutionContext, ReportOptions } from '../src/types.ts'
import { fetchHandlerOf, reportOptionsOf } from '../src/host/app.ts'
import { Host } from '../src/host/host.ts'
import { JobRunner } from '../src/durable/runner.ts'
import { checkOptionNames, fail, type OptionNames } from '../src/validate.ts'
import { consumer, CloudflareQueue } from './cloudflare-queues.ts'

export { queue, type CloudflareQueue, type CloudflareQueueOptions } from './cloudflare-queues.ts'
export type { JobDefinition, JobHandler, JobOptions, EnqueueOptions } from './cloudflare-queues.ts'

export interface WorkerOptions extends ReportOptions {
  /**
   * For `after(task)` without ctx under the `nodejs_als` flag alone: pass
   * `AsyncLocalStorage` from `node:async_hooks`. With `nodejs_compat` (compatibility date
   * 2024-09-23 or later) it is found without this.
   */
  asyncLocalStorage?: AsyncLocalStorageClass
  /** Durable job queues (`queue({ binding })`): their producers get the env, their jobs run in `queue()`. */
  queues?: readonly CloudflareQueue<any>[]
}

const WORKER_OPTION_NAMES = {
  onError: true,
  onTaskEnd: true,
  taskTimeout: true,
  deliveryTimeout: true,
  asyncLocalStorage: true,
  queues: true,
  telemetry: true,
} as const satisfies OptionNames<WorkerOptions>

/** The module-worker shape workerd calls; other handlers (scheduled, queue…) pass through. */
export interface ExportedHandler<Env = unknown> {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response>
  [handler: string]: unknown
}

const PASS_THROUGH = ['scheduled', 'queue', 'email', 'tail', 'trace', 'test'] as const

/**
 * Wraps an app for Cloudflare Workers. Each task is handed to the platform's own
 * `ctx.waitUntil`, and starts once the handler has returned its Response and a
 * macrotask has passed. Workers cancels waitUntil work about 30 s after the response.
 * With the `nodejs_compat` flag (or `nodejs_als` and `options.asyncLocalStorage`),
 * `after(task)` works without ctx. The module itself imports nothing of Node's, so it
 * loads on workerd without any flag (the ctx forms need none).
 */
export function worker<Env = unknown>(app: App<Env>, options: WorkerOptions = {}): ExportedHandler<Env> {
  const call = 'worker(app, options)'
  const config = {
    fetch: fetchHandlerOf(call, app),
    report: reportOptionsOf(call, options),
    env: undefined,
    // The platform owns admission and shutdown.
    maxPendingTasks: Infinity,
    gracePeriod: 0,
    onShutdown: undefined,
    // workerd's AsyncLocalStorage is cheap (no per-promise hook), and loaded only where a flag allows it.
    asyncContext: true,
  }
  checkOptionNames(call, options, WORKER_OPTION_NAMES)
  if (options.asyncLocalStorage !== undefined) {
    if (typeof options.asyncLocalStorage !== 'function') fail(call, 'options.asyncLocalStorage must be the AsyncLocalStorage class of node:async_hooks', options.asyncLocalStorage)
    useAsyncLocalStorage(options.asyncLocalStorage)
  }
  const queues = options.queues ?? []
  if (!Array.isArray(queues) || queues.some((q) => !(q instanceof CloudflareQueue))) {
    fail(call, 'options.queues must be an array of queue({ binding }) results', queues)
  }
  // workerd forbids timers and AbortControllers at module scope: create on first request.
  let host: Host | undefined

  const handler: ExportedHandler<Env> = {
    fetch(request, env, ctx) {
      host ??= new Host(config, macrotask)
      // A queue's producer is env[binding]: it only exists while the worker runs.
      for (const q of queues) q.bind(env)
      return host.handleWatchingBody(request, env, ctx)
    },
  }
  if (queues.length > 0) {
    if (typeof app === 'object' && typeof (app as { queue?: unknown }).queue === 'function') {
      fail(call, 'app has a queue() handler of its own and options.queues would replace it', app)
    }
    let runner: JobRunner | undefined
    handler.queue = consumer(queues, () => (runner ??= new JobRunner(config.report)))
  }
  if (typeof app === 'object') {
    for (const name of PASS_THROUGH) {
      const own = (app as unknown as Record<string, unknown>)[name]
      if (typeof own === 'function' && handler[name] === undefined) handler[name] = own.bind(app)
    }
  }
  return handler
}
