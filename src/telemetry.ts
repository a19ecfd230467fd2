import type { JobInfo, TaskReport } from './types.ts'
import { fail } from './validate.ts'

/**
 * Trace context carried with a durable job from the request that enqueued it to the
 * worker that runs it, as text fields (W3C `traceparent`, `tracestate`, and whatever
 * else the telemetry's propagator writes). Plain strings: it travels as JSON.
 */
export type TraceCarrier = Record<string, string>

/** What is known of a task when it is registered. */
export interface TaskRegistration {
  name: string
  /** Durable jobs only: this attempt. */
  job?: JobInfo
  /** Durable jobs only: the trace context the job carried from where it was enqueued. */
  trace?: TraceCarrier
}

/**
 * One task's telemetry, from its registration to its report. Made only when a
 * `telemetry` option is given: without one, a task costs one `undefined` check.
 */
export interface TaskTelemetry {
  /**
   * The task starts: calls `fn(...args)` with whatever must be current while it runs
   * (its span, so the spans the task makes are its children) and returns its result.
   * Not called for a task that ends before it started (abandoned at shutdown).
   */
  run<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): R
  /** The running task called `task.progress(done, total)`. */
  progress?(done: number, total?: number): void
  /** Exactly once, with the task's report, whether or not it started. Must not throw. */
  end(report: TaskReport): void
}

/**
 * The hook `serve()`, `handle()`, `worker()` and `jobs.work()` accept as `telemetry`
 * (e.g. `otel()` from `finish-request/otel`). The core calls it and knows nothing of
 * what it records.
 */
export interface Telemetry {
  /**
   * Called synchronously when a task is registered, in the async context of the code
   * that registered it. `undefined`: nothing to record for this task (no SDK is set up).
   */
  task(registration: TaskRegistration): TaskTelemetry | undefined
  /**
   * Called synchronously when a durable job is registered during a request, in the
   * registering code's async context: the trace context the job carries to its worker.
   */
  carrier?(): TraceCarrier | undefined
}

export function checkTelemetry(call: string, value: unknown): Telemetry | undefined {
  if (value === undefined) return undefined
  const telemetry = value as Telemetry
  if (value === null || typeof value !== 'object' || typeof telemetry.task !== 'function' || (telemetry.carrier !== undefined && typeof telemetry.carrier !== 'function')) {
    fail(call, 'options.telemetry must be an object with a task(registration) method, such as otel() from finish-request/otel', value)
  }
  return telemetry
}
