import type { Telemetry } from './telemetry.ts'

/** A task's second argument: what it can tell about itself while it runs. */
export interface TaskControl {
  /** The latest progress (e.g. files zipped of all), shown by the inspector; cheap to call often. */
  progress(done: number, total?: number): void
}

/**
 * Background work for one request. It receives an AbortSignal that aborts when
 * the task times out or is abandoned at shutdown, and a `TaskControl`.
 */
export type Task = (signal: AbortSignal, task: TaskControl) => unknown

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

/**
 * How a task knew that its response had been delivered before it started:
 * - `'confirmed'`: the runtime said the bytes were written (Node's `finish`/`close`, Deno's `completed`);
 * - `'body-end'`: the runtime read the response's body to its end (Bun, workerd, a fetch handler without bindings);
 * - `'returned'`: the handler returned (or threw) and there was no better signal, or the
 *   client made no progress for `deliveryTimeout`; also a promise that was already running;
 * - `'platform'`: the platform's own `waitUntil` owns the task (a context not ours).
 */
export type DeliveryKind = 'confirmed' | 'body-end' | 'returned' | 'platform'

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
  /** How the response's delivery was known before the task started (`'returned'` if it never started). */
  delivery: DeliveryKind
  request: RequestInfo
  /** Durable tasks only: the job this attempt belongs to. */
  job?: JobInfo
}

export interface JobInfo {
  /** The caller's id (e.g. `export:42`), or the engine's own when none was given. */
  id: string
  queue: string
  /** 1 for the first attempt. */
  attempt: number
  attempts: number
}

/**
 * What a task source (a server, a handler, a durable queue's workers) tells its
 * subscribers, e.g. the inspector. `id` is unique per source; `at` is `Date.now()`.
 */
export type TaskEvent =
  | { type: 'registered'; id: number; name: string; request: RequestInfo; at: number; job?: JobInfo }
  | { type: 'started'; id: number; at: number }
  | { type: 'progress'; id: number; done: number; total?: number; at: number }
  | { type: 'ended'; id: number; report: TaskReport; at: number }
  /**
   * The source began to close: watchers should end their long-lived responses (an open
   * event stream would otherwise hold a closing server until its grace period ends).
   */
  | { type: 'closing'; at: number }

/** Anything whose tasks can be watched: what `serve()` and `handle()` return. */
export interface TaskSource {
  /** Tasks registered and not yet reported. */
  readonly pending: number
  /**
   * Calls `listener` for every task event from now on; returns the unsubscribe. With
   * `{ endedOnly: true }` only `ended` and `closing` events come (a source may send more):
   * all a history of finished tasks needs, for a fraction of the cost per task.
   */
  subscribe(listener: (event: TaskEvent) => void, options?: SubscribeOptions): () => void
}

export interface SubscribeOptions {
  endedOnly?: boolean
}

export interface ReportOptions {
  /** A task failed, timed out or was abandoned. Default: one line on stderr. */
  onError?: (error: Error, report: TaskReport) => void
  /** Every finished task, whatever its status. */
  onTaskEnd?: (report: TaskReport) => void
  /** Default per-task timeout in ms. Default: none. */
  taskTimeout?: number
  /**
   * A response that stands still for this many ms (a client that stopped reading) stops
   * holding its tasks. A handler still working, or a body still flowing (a long stream),
   * moves the deadline on. Default 10 000; `Infinity` always waits.
   */
  deliveryTimeout?: number
  /** Spans and metrics for every task, e.g. `otel()` from `finish-request/otel`. Default: none. */
  telemetry?: Telemetry
}

export type FetchHandler<Env = unknown> = (
  request: Request,
  env: Env,
  ctx: ExecutionContext,
) => Response | Promise<Response>

/** The Cloudflare module-worker / Hono shape, or a bare fetch function. */
export type App<Env = unknown> = { fetch: FetchHandler<Env> } | FetchHandler<Env>
