import { Supervisor } from '../supervisor.ts'
import type { TaskRun } from '../task-run.ts'
import type { TraceCarrier } from '../telemetry.ts'
import type { JobInfo, RequestInfo, TaskStatus } from '../types.ts'
import type { JobDefinition } from './definition.ts'

export interface AttemptOutcome {
  status: TaskStatus
  /** Set unless `status` is `'ok'`: what to hand the engine as the failure. */
  error?: unknown
}

const UNKNOWN_REQUEST: RequestInfo = Object.freeze({ method: '', url: '' })

/**
 * Runs job attempts on the same supervisor as request tasks (timeouts, signals, one
 * report each, events, drain and abandon at shutdown), and tells the engine module
 * how each attempt ended, so it can ack, retry or put the job back.
 */
export class JobRunner extends Supervisor {
  private readonly outcomes = new Map<TaskRun, (outcome: AttemptOutcome) => void>()

  override settle(run: TaskRun, status: TaskStatus, error: unknown): void {
    super.settle(run, status, error)
    const resolve = this.outcomes.get(run)
    if (resolve === undefined) return
    this.outcomes.delete(run)
    resolve(status === 'ok' ? { status } : { status, error })
  }

  /**
   * One attempt of `definition` with `json` as its payload. `onProgress` mirrors
   * `task.progress()` to the engine; `extra` joins the handler's third argument.
   */
  attempt<Extra>(
    definition: JobDefinition<any, Extra>,
    /** Undefined (a message not made by us) fails the attempt like bad JSON does. */
    json: string | undefined,
    request: RequestInfo | undefined,
    job: JobInfo,
    extra: Extra,
    onProgress?: (done: number, total?: number) => void,
    /** The trace context the job carried from the request that enqueued it. */
    trace?: TraceCarrier,
  ): Promise<AttemptOutcome> {
    const { method, url } = request ?? UNKNOWN_REQUEST
    const run = this.create(definition.jobName, method, url, definition.options.timeout, job, traceOf(trace))
    // A runner that has closed abandons what arrives late at once.
    if (run.settled) return Promise.resolve({ status: 'abandoned' })
    const outcome = new Promise<AttemptOutcome>((resolve) => this.outcomes.set(run, resolve))
    run.start((signal, control) => {
      const task = Object.assign(
        {
          progress(done: number, total?: number) {
            control.progress(done, total)
            onProgress?.(done, total)
          },
        },
        extra,
      )
      // Parsed inside the task, so even a payload stored by hand that is not JSON is one report.
      return definition.handler(JSON.parse(json as string), signal, task)
    })
    return outcome
  }
}

/** A job's message is data from outside: only an object of strings is used as trace context. */
function traceOf(value: unknown): TraceCarrier | undefined {
  if (value === null || typeof value !== 'object') return undefined
  for (const field of Object.values(value)) if (typeof field !== 'string') return undefined
  return value as TraceCarrier
}
