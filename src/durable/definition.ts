import { DURABLE, type Durable, type DurableTask, type PersistOutcome } from '../durable.ts'
import type { TraceCarrier } from '../telemetry.ts'
import type { RequestInfo, Task, TaskControl, TaskReport } from '../types.ts'
import { checkCount, checkOptionNames, checkTimeout, fail, type OptionNames } from '../validate.ts'
import { backoffOf, type Backoff } from './backoff.ts'
import { Deadlines } from './deadlines.ts'
import { DEFAULT_MAX_PAYLOAD_BYTES, serializePayload } from './payload.ts'

/** What a job handler gets as its third argument: a task's control, plus what the engine adds (`env` on Workers). */
export type JobControl<Extra = {}> = TaskControl & Extra

export type JobHandler<Payload, Extra = {}> = (payload: Payload, signal: AbortSignal, task: JobControl<Extra>) => unknown

export interface JobOptions {
  /** Attempts in all, the first included. Default 3. */
  attempts?: number
  /** Before retry n, wait `backoff · 2^(n-1)` ms (or a fixed delay). Default 1 000. */
  backoff?: Backoff
  /** Per-attempt timeout, ms: the signal aborts with a TimeoutError and the attempt fails. */
  timeout?: number
}

export interface EnqueueOptions {
  /** Any string (e.g. `export:42`): a second job with the same id is not enqueued while the first is kept. */
  id?: string
}

/** Options every queue takes, whatever its engine. */
export interface QueueOptions {
  /**
   * The engine did not acknowledge a job registered during a request: `'run'` (the
   * default) runs it in this process after the response, `'refuse'` answers 503 with
   * Retry-After instead. Either way it is reported once through `onError`.
   */
  whenDown?: 'run' | 'refuse'
  /** Default 131 072 (128 KiB, Cloudflare Queues' limit). */
  maxPayloadBytes?: number
  /** How long (ms) a request waits for the engine's acknowledgement before falling back. Default 2 000. */
  enqueueTimeout?: number
}

/** Every name of `QueueOptions`: an engine's queue() adds its own. */
export const QUEUE_OPTION_NAMES = { whenDown: true, maxPayloadBytes: true, enqueueTimeout: true } as const satisfies OptionNames<QueueOptions>
const JOB_OPTION_NAMES = { attempts: true, backoff: true, timeout: true } as const satisfies OptionNames<JobOptions>
const ENQUEUE_OPTION_NAMES = { id: true } as const satisfies OptionNames<EnqueueOptions>

/** One job as it travels through an engine: the same fields on BullMQ and on Cloudflare Queues. */
export interface JobMessage {
  /** The definition's name. */
  name: string
  /** The payload as JSON. */
  json: string
  /** The caller's id, if any. */
  id?: string
  /** The request that registered it, for the reports of its attempts. */
  request?: RequestInfo
  /** The trace context of the request that registered it (W3C `traceparent`…), when its server has telemetry. */
  trace?: TraceCarrier
  attempts: number
  backoff: { type: 'fixed' | 'exponential'; delay: number }
}

/** A definition: call it during a request, or `enqueue` from anywhere. */
export interface JobDefinition<Payload = unknown, Extra = {}> {
  (payload: Payload, options?: EnqueueOptions): DurableTask
  /** Enqueues at once (a cron, a script); resolves to the job's id. */
  enqueue(payload: Payload, options?: EnqueueOptions): Promise<string>
  readonly jobName: string
  readonly handler: JobHandler<Payload, Extra>
  readonly options: Readonly<Required<Pick<JobOptions, 'attempts'>>> & { backoff: JobMessage['backoff']; timeout?: number }
}

const DEFAULTS = { attempts: 3, backoff: 1_000, enqueueTimeout: 2_000 }
const UNKNOWN_REQUEST: RequestInfo = Object.freeze({ method: '', url: '' })

/**
 * The engine-free half of a durable queue: definitions, payload checks, persisting
 * during a request and the fallback when the engine is down. An engine module
 * (BullMQ, Cloudflare Queues) supplies `send` and runs the jobs.
 */
export abstract class JobQueue<Extra = {}> {
  readonly definitions = new Map<string, JobDefinition<any, Extra>>()
  protected readonly whenDown: 'run' | 'refuse'
  protected readonly maxPayloadBytes: number
  protected readonly enqueueTimeout: number
  /**
   * Whether sends of different requests may share a deadline timer (see Deadlines).
   * Not on Workers, where a timer or a promise belongs to the request that made it.
   */
  protected readonly shareDeadlines: boolean = false
  /** Created on the first send: workerd allows no timers or AbortController at module scope. */
  private deadlines: Deadlines | undefined

  constructor(
    protected readonly call: string,
    /** The queue's name in reports (`job.queue`). */
    readonly name: string,
    options: QueueOptions,
  ) {
    const { whenDown = 'run', maxPayloadBytes, enqueueTimeout } = options
    if (whenDown !== 'run' && whenDown !== 'refuse') fail(call, `options.whenDown must be 'run' or 'refuse'`, whenDown)
    checkCount(call, 'options.maxPayloadBytes', maxPayloadBytes, 2)
    this.whenDown = whenDown
    this.maxPayloadBytes = maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES
    this.enqueueTimeout = checkTimeout(call, 'options.enqueueTimeout', enqueueTimeout) ?? DEFAULTS.enqueueTimeout
  }

  /**
   * Hands one job to the engine; resolves to its id once the engine acknowledged it.
   * Once `signal` has aborted (the caller gave up and fell back), the job must not be
   * handed over any more: it would run twice.
   */
  protected abstract send(message: JobMessage, signal: AbortSignal): Promise<string>

  /** What a handler running in this process gets besides its control (`env` on Workers). */
  protected abstract extra(): Extra

  define<Payload = unknown>(name: string, handler: JobHandler<Payload, Extra>, options: JobOptions = {}): JobDefinition<Payload, Extra> {
    const call = 'jobs.define(name, handler, options)'
    if (typeof name !== 'string' || name === '') fail(call, 'name must be a non-empty string', name)
    if (typeof handler !== 'function') fail(call, 'handler must be a function', handler)
    if (options === null || typeof options !== 'object') fail(call, 'options must be an object', options)
    checkOptionNames(call, options, JOB_OPTION_NAMES)
    if (this.definitions.has(name)) fail(call, `name must be unique in its queue, "${name}" is defined already`, name)
    checkCount(call, 'options.attempts', options.attempts, 1)
    const resolved = {
      attempts: options.attempts ?? DEFAULTS.attempts,
      backoff: backoffOf(call, options.backoff ?? DEFAULTS.backoff),
      timeout: checkTimeout(call, 'options.timeout', options.timeout),
    }
    const prepare = (method: string, payload: unknown, enqueue: EnqueueOptions | undefined) => {
      const where = `${name}${method}(payload, options)`
      if (enqueue !== undefined && (enqueue === null || typeof enqueue !== 'object')) fail(where, 'options must be an object', enqueue)
      if (enqueue !== undefined) checkOptionNames(where, enqueue, ENQUEUE_OPTION_NAMES)
      const id = enqueue?.id
      if (id !== undefined && (typeof id !== 'string' || id === '')) fail(where, 'options.id must be a non-empty string', id)
      const { json } = serializePayload(where, payload, this.maxPayloadBytes)
      return { name, json, id, attempts: resolved.attempts, backoff: resolved.backoff }
    }
    const definition = ((payload: Payload, enqueue?: EnqueueOptions): DurableTask => {
      const message = prepare('', payload, enqueue)
      return { [DURABLE]: this.durable(message, definition) }
    }) as JobDefinition<Payload, Extra>
    Object.defineProperties(definition, {
      jobName: { value: name, enumerable: true },
      handler: { value: handler },
      options: { value: Object.freeze(resolved) },
      enqueue: {
        value: (payload: Payload, enqueue?: EnqueueOptions): Promise<string> => {
          const message = prepare('.enqueue', payload, enqueue)
          return this.sendWithinTimeout({ ...message, request: UNKNOWN_REQUEST })
        },
      },
    })
    this.definitions.set(name, definition)
    return definition
  }

  /** The core's hook: persist during the request, or decide the fallback. */
  private durable(message: Omit<JobMessage, 'request'>, definition: JobDefinition<any, Extra>): Durable {
    return {
      name: message.name,
      persist: async (request, onError, trace): Promise<PersistOutcome> => {
        // Called as the job is registered: the report tells how long the request waited.
        const started = performance.now()
        try {
          await this.sendWithinTimeout(trace === undefined ? { ...message, request } : { ...message, request, trace })
          return undefined
        } catch (cause) {
          const fallback = this.whenDown === 'refuse' ? 'the request was answered 503' : 'it runs in this process after the response'
          const error = new Error(
            `job "${message.name}" could not be enqueued on queue "${this.name}" (${describe(cause)}): ${fallback}`,
            { cause },
          )
          error.name = 'EnqueueError'
          const report: TaskReport = {
            name: message.name,
            status: 'error',
            error,
            durationMs: performance.now() - started,
            delivery: 'returned',
            request,
            job: { id: message.id ?? '', queue: this.name, attempt: 0, attempts: message.attempts },
          }
          onError(error, report)
          if (this.whenDown === 'refuse') return 'refuse'
          return this.inProcess(definition, message.json)
        }
      },
    }
  }

  /** The job as an ordinary task of this process, with the payload as a worker would see it. */
  private inProcess(definition: JobDefinition<any, Extra>, json: string): Task {
    const extra = this.extra()
    const run: Task = (signal, control) =>
      definition.handler(JSON.parse(json), signal, Object.assign({ progress: control.progress.bind(control) }, extra))
    Object.defineProperty(run, 'name', { value: definition.jobName })
    return run
  }

  private sendWithinTimeout(message: JobMessage): Promise<string> {
    this.deadlines ??= new Deadlines(this.enqueueTimeout, this.shareDeadlines ? 10 : 0)
    return this.deadlines.within((signal) => this.send(message, signal))
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
