import { fetchHandlerOf, reportOptionsOf } from './app.ts'
import type { App, FetchHandler, ReportOptions } from '../types.ts'
import { checkCallback, checkCount, checkOptionNames, checkPort, fail, type OptionNames } from '../validate.ts'

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
   * after tasks drained and before the process exits. Its argument is an AbortSignal
   * (not the process signal's name) for what is left of `gracePeriod`: it aborts at the
   * deadline, and the hook is not waited for beyond it.
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
  /**
   * 0 to 65535, or a string of digits such as `process.env.PORT`; 0 picks a free port.
   * Default: the `PORT` environment variable if set, else 3000.
   */
  port?: number | string
  /** Default: the runtime's own (all interfaces on Node and Bun, 0.0.0.0 on Deno). */
  hostname?: string
  /**
   * Signals that close the server gracefully, then exit (see `abandonedExitCode`);
   * `false` for none.
   */
  signals?: readonly string[] | false
  /**
   * The process's exit code after a signal's close that had to abandon tasks (still
   * running at the end of `gracePeriod`), so a supervisor or CI can tell work was lost.
   * A clean close exits 0. Default 75 (EX_TEMPFAIL: "try again later"); 0 keeps 0.
   */
  abandonedExitCode?: number
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
  abandonedExitCode: number
}

/** Every option name `handle()` knows, checked against `HandleOptions` by the compiler. */
export const HANDLE_OPTION_NAMES = {
  env: true,
  maxPendingTasks: true,
  gracePeriod: true,
  onShutdown: true,
  asyncContext: true,
  onError: true,
  onTaskEnd: true,
  taskTimeout: true,
  deliveryTimeout: true,
  telemetry: true,
} as const satisfies OptionNames<HandleOptions>

/** Every option name `serve()` knows on every runtime; an adapter may add its own (Node's). */
export const SERVE_OPTION_NAMES = {
  ...HANDLE_OPTION_NAMES,
  port: true,
  hostname: true,
  signals: true,
  abandonedExitCode: true,
} as const satisfies OptionNames<ServeOptions>

const DEFAULTS = {
  port: 3000,
  abandonedExitCode: 75,
  maxPendingTasks: 10_000,
  gracePeriod: 25_000,
  signals: ['SIGINT', 'SIGTERM'] as readonly string[],
}

/** `known`: every option name the caller takes (`serve()` takes more than `handle()`). */
export function hostConfig<Env>(
  call: string,
  app: App<Env>,
  options: HandleOptions<Env> = {},
  known: object = HANDLE_OPTION_NAMES,
): HostConfig<Env> {
  const fetch = fetchHandlerOf(call, app)
  const report = reportOptionsOf(call, options)
  checkOptionNames(call, options, known)
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

/** `envPort`: the `PORT` environment variable, as the runtime lets us read it. */
export function listenConfig(call: string, options: ServeOptions<unknown> = {}, envPort?: string): ListenConfig {
  const port =
    options.port !== undefined
      ? checkPort(call, 'options.port', options.port)
      : envPort !== undefined && envPort !== ''
        ? checkPort(call, 'the PORT environment variable (used as no options.port was given)', envPort)
        : DEFAULTS.port
  checkCount(call, 'options.abandonedExitCode', options.abandonedExitCode, 0)
  if (options.abandonedExitCode !== undefined && options.abandonedExitCode > 255) {
    fail(call, 'options.abandonedExitCode must be an exit code from 0 to 255', options.abandonedExitCode)
  }
  if (options.hostname !== undefined && typeof options.hostname !== 'string') {
    fail(call, 'options.hostname must be a string', options.hostname)
  }
  const signals = options.signals ?? DEFAULTS.signals
  if (signals !== false && (!Array.isArray(signals) || signals.some((s) => typeof s !== 'string'))) {
    fail(call, 'options.signals must be an array of signal names or false', signals)
  }
  return {
    port,
    hostname: options.hostname,
    signals: signals || [],
    abandonedExitCode: options.abandonedExitCode ?? DEFAULTS.abandonedExitCode,
  }
}
