import type { TraceCarrier } from './telemetry.ts'
import type { RequestInfo, Task, TaskReport } from './types.ts'

/**
 * The core's side of durable tasks (`finish-request/bullmq`, Cloudflare Queues): what
 * `respond()` and `after()` accept besides a function. The queue modules make these;
 * the core only persists them during the request and acts on the outcome.
 */
export const DURABLE: unique symbol = Symbol.for('finish-request.durable') as never

/**
 * What persisting decided: `undefined` once the engine acknowledged the job; a Task to
 * run in this process after delivery (the engine was down); or `'refuse'`, which makes
 * the adapter answer 503 with Retry-After instead of the handler's response.
 */
export type PersistOutcome = undefined | Task | 'refuse'

export interface Durable {
  /** For reports and logs. */
  readonly name: string
  /**
   * Called once, synchronously during registration (so in the request's async
   * context). Never rejects; a fallback is reported once, through the `onError`
   * given (the caller's supervisor passes it on to `onError` and `onTaskEnd`), with the
   * time the request waited as its `durationMs`. `trace`: the registering request's
   * trace context, when its server has telemetry, for the job to carry to its worker.
   */
  persist(request: RequestInfo, onError: (error: Error, report: TaskReport) => void, trace?: TraceCarrier): Promise<PersistOutcome>
}

export interface DurableTask {
  readonly [DURABLE]: Durable
}

export function isDurable(value: unknown): value is DurableTask {
  return value !== null && typeof value === 'object' && DURABLE in value
}
