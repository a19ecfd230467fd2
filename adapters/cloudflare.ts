import { useAsyncLocalStorage, type AsyncLocalStorageClass } from '../src/async-context.ts'
import { macrotask } from '../src/macrotask.ts'
import type { App, ExecutionContext, ReportOptions } from '../src/types.ts'
import { fetchHandlerOf, reportOptionsOf } from '../host/app.ts'
import { Host } from '../host/host.ts'

export type WorkerOptions = ReportOptions

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
  }
  // workerd forbids timers and AbortControllers at module scope: create on first request.
  let host: Host | undefined

  const handler: ExportedHandler<Env> = {
    async fetch(request, env, ctx) {
      await loadAsyncContext()
      host ??= new Host(config, macrotask)
      return host.handleGated(request, env, ctx)
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
