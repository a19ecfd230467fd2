/**
 * Background work for one request. It receives an AbortSignal that aborts when
 * the task times out or is abandoned at shutdown.
 */
export type Task = (signal: AbortSignal) => unknown

export interface TaskOptions {
  /** Shown in reports and logs. Defaults to the function's own name, else `'anonymous'`. */
  name?: string
  /** Milliseconds. At the deadline the signal aborts with a `TimeoutError`. */
  timeout?: number
}

/** The smallest context a task can be handed to: anything with `waitUntil`. */
export interface WaitUntilContext {
  waitUntil(promise: Promise<unknown>): void
}

/** Structurally the Cloudflare Workers `ExecutionContext`. */
export interface ExecutionContext<Props = unknown> extends WaitUntilContext {
  passThroughOnException(): void
  props: Props
}

export type TaskStatus = 'ok' | 'error' | 'timeout' | 'abandoned'

export interface RequestInfo {
  method: string
  url: string
}

/** Exactly one per finished task. */
export interface TaskReport {
  name: string
  status: TaskStatus
  /** Set unless `status` is `'ok'`. A thrown non-Error is wrapped, the original kept as `cause`. */
  error?: Error
  /** From the moment the task started (0 if it never started). */
  durationMs: number
  request: RequestInfo
}

export interface ReportOptions {
  /** A task failed, timed out or was abandoned. Default: one line on stderr. */
  onError?: (error: Error, report: TaskReport) => void
  /** Every finished task, whatever its status. */
  onTaskEnd?: (report: TaskReport) => void
  /** Default per-task timeout in ms. Default: none. */
  taskTimeout?: number
  /**
   * Tasks start at the latest this many ms after they were registered, even if the
   * response is still on its way (a client that stopped reading, a long stream).
   * Default 10 000; `Infinity` always waits for delivery.
   */
  deliveryTimeout?: number
}

export type FetchHandler<Env = unknown> = (
  request: Request,
  env: Env,
  ctx: ExecutionContext,
) => Response | Promise<Response>

/** The Cloudflare module-worker / Hono shape, or a bare fetch function. */
export type App<Env = unknown> = { fetch: FetchHandler<Env> } | FetchHandler<Env>
