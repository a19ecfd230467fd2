import { fetchHandlerOf, reportOptionsOf } from './app.ts'
import type { App, FetchHandler, ReportOptions } from '../types.ts'
import { checkCallback, checkCount, fail } from '../validate.ts'

/** Options of `handle()`, the same on Node, Bun and Deno. */
export interface HandleOptions<Env = unknown> extends ReportOptions {
  /** Passed to `fetch` as its second argument. Default `{}`. */
  env?: Env
  /** While this many tasks are pending, new requests get 503 + Retry-After. Default 10 000. */
  maxPendingTasks?: number
  /** On close, how long (ms) to wait for tasks (and `onShutdown`) before abandoning them. Default 25 000. */
  gracePeriod?: number
  /**
   * Your own cleanup (close a database pool, flush a log), run once on close or signal,
   * after tasks drained and before the process exits. It gets what is left of
   * `gracePeriod`: its signal aborts at the deadline, and it is not waited for beyond it.
   */
  onShutdown?: (signal: AbortSignal) => unknown
  /**
   * Whether each request is made current in an AsyncLocalStorage, which the ctx-free
   * forms (`after(task)`, `respond(response, task)`) need to find it. Default true.
   * `false` for apps that always pass ctx: on Node 20 and 22, AsyncLocalStorage runs a
   * hook for every promise in the process, which costs throughput and memory per
   * pending task. Tasks run in their request's async
   * context (your own AsyncLocalStorage stores) either way.
   */
  asyncContext?: boolean
}

/** Options of `serve()`: those of `handle()`, plus where to listen and which signals close it. */
export interface ServeOptions<Env = unknown> extends HandleOptions<Env> {
  /** Default 3000; 0 picks a free port. */
  port?: number
  /** Default: the runtime's own (all interfaces on Node and Bun, 0.0.0.0 on Deno). */
  hostname?: string
  /** Signals that close the server gracefully, then exit 0; `false` for none. */
  signals?: readonly string[] | false
}

/** Everything `Host` needs, validated and defaulted once. */
export interface HostConfig<Env> {
  fetch: FetchHandler<Env>
  report: ReportOptions
  env: Env
  maxPendingTasks: number
  gracePeriod: number
  onShutdown: ((signal: AbortSignal) => unknown) | undefined
  asyncContext: boolean
}

export interface ListenConfig {
  port: number
  hostname: string | undefined
  signals: readonly string[]
}

const DEFAULTS = {
  port: 3000,
  maxPendingTasks: 10_000,
  gracePeriod: 25_000,
  signals: ['SIGINT', 'SIGTERM'] as readonly string[],
}

export function hostConfig<Env>(call: string, app: App<Env>, options: HandleOptions<Env> = {}): HostConfig<Env> {
  const fetch = fetchHandlerOf(call, app)
  const report = reportOptionsOf(call, options)
  checkCount(call, 'options.maxPendingTasks', options.maxPendingTasks, 1)
  checkCount(call, 'options.gracePeriod', options.gracePeriod, 0)
  checkCallback(call, 'options.onShutdown', options.onShutdown)
  if (options.asyncContext !== undefined && typeof options.asyncContext !== 'boolean') {
    fail(call, 'options.asyncContext must be a boolean', options.asyncContext)
  }
  return {
    fetch,
    report,
    env: options.env ?? ({} as Env),
    maxPendingTasks: options.maxPendingTasks ?? DEFAULTS.maxPendingTasks,
    gracePeriod: options.gracePeriod ?? DEFAULTS.gracePeriod,
    onShutdown: options.onShutdown,
    asyncContext: options.asyncContext ?? true,
  }
}

export function listenConfig(call: string, options: ServeOptions<unknown> = {}): ListenConfig {
  checkCount(call, 'options.port', options.port, 0)
  if (options.hostname !== undefined && typeof options.hostname !== 'string') {
    fail(call, 'options.hostname must be a string', options.hostname)
  }
  const signals = options.signals ?? DEFAULTS.signals
  if (signals !== false && (!Array.isArray(signals) || signals.some((s) => typeof s !== 'string'))) {
    fail(call, 'options.signals must be an array of signal names or false', signals)
  }
  return { port: options.port ?? DEFAULTS.port, hostname: options.hostname, signals: signals || [] }
}
