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
  /** Durable job queues (`queue({ binding })`): their producers get the env, their jobs run in `queue()`. */
  queues?: readonly CloudflareQueue<any>[]
}

const WORKER_OPTION_NAMES = {
  onError: true,
  onTaskEnd: true,
  taskTimeout: true,
  deliveryTimeout: true,
  queues: true,
} as const satisfies OptionNames<WorkerOptions>

/** The module-worker shape workerd calls; other handlers (scheduled, queue…) pass through. */
export interface ExportedHandler<Env = unknown> {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response>
  [handler: string]: unknown
}

const PASS_THROUGH = ['scheduled', 'queue', 'email', 'tail', 'trace', 'test'] as const

// Computed, so bundlers leave it alone: without the nodejs_als or nodejs_compat flag the
// module does not exist, and the worker must still load (the ctx forms keep working).
const ASYNC_HOOKS = ['node', 'async_hooks'].join(':')
let asyncContext: Promise<void> | undefined

function loadAsyncContext(): Promise<void> {
  return (asyncContext ??= import(/* @vite-ignore */ ASYNC_HOOKS).then(
    (hooks: { AsyncLocalStorage: AsyncLocalStorageClass }) => useAsyncLocalStorage(hooks.AsyncLocalStorage),
    () => {},
  ))
}

/**
 * Wraps an app for Cloudflare Workers. Each task is handed to the platform's own
 * `ctx.waitUntil`, and starts once the handler has returned its Response and a
 * macrotask has passed. Workers cancels waitUntil work about 30 s after the response.
 * With the `nodejs_als` or `nodejs_compat` flag, `after(task)` works without ctx.
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
  const queues = options.queues ?? []
  if (!Array.isArray(queues) || queues.some((q) => !(q instanceof CloudflareQueue))) {
    fail(call, 'options.queues must be an array of queue({ binding }) results', queues)
  }
  // workerd forbids timers and AbortControllers at module scope: create on first request.
  let host: Host | undefined

  const handler: ExportedHandler<Env> = {
    async fetch(request, env, ctx) {
      await loadAsyncContext()
      host ??= new Host(config, macrotask)
      // A queue's producer is env[binding]: it only exists while the worker runs.
      for (const q of queues) q.bind(env)
      return host.handleGated(request, env, ctx)
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
