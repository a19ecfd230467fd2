import { WaitingError, type Job, type WorkerOptions } from 'bullmq'
import { reportOptionsOf } from '../src/host/app.ts'
import { closeOnSignals, processSignals, trackClose } from '../src/host/signals.ts'
import { asTaskSource } from '../src/host/task-source.ts'
import { toError } from '../src/errors.ts'
import { JobQueue, QUEUE_OPTION_NAMES, type JobMessage, type QueueOptions } from '../src/durable/definition.ts'
import { fromEngineId, toEngineId } from '../src/durable/job-id.ts'
import { JobRunner } from '../src/durable/runner.ts'
import type { DrainResult } from '../src/supervisor.ts'
import type { TraceCarrier } from '../src/telemetry.ts'
import type { JobInfo, ReportOptions, RequestInfo, TaskSource } from '../src/types.ts'
import { checkCount, checkOptionNames, fail, type OptionNames } from '../src/validate.ts'
import { storeOf, type Connection, type Driver } from './bullmq-store.ts'

export type { JobDefinition, JobHandler, JobOptions, EnqueueOptions, QueueOptions } from '../src/durable/definition.ts'
export type { DrainResult, BullQueue }

export interface BullQueueOptions extends QueueOptions {
  /**
   * Where BullMQ keeps the jobs. Redis: a URL (`redis://127.0.0.1:6379`), or an ioredis
   * client whose settings are copied (it is left alone). PostgreSQL: a URL
   * (`postgres://user@host:5432/app`), or a pg.Pool that is shared (never closed by us;
   * its `search_path` must include BullMQ's schema, and it needs a connection to spare
   * for each worker's LISTEN).
   */
  connection: Connection
  /** The BullMQ queue's name, shared by the web processes that enqueue and the workers that run. */
  name: string
  /** Redis only: BullMQ's key prefix. Default `bull`. */
  prefix?: string
  /** PostgreSQL only, with a URL: the schema BullMQ's tables live in. Default `bullmq`. */
  schema?: string
  /**
   * PostgreSQL only: run BullMQ's migrations when this process first connects
   * (idempotent; concurrent starters are serialised by an advisory lock). Needs the
   * right to create the schema. Default false: migrate as a deployment step.
   */
  migrate?: boolean
  /**
   * How long BullMQ keeps a finished job, in seconds; a caller's id is only
   * deduplicated while its job is kept. Default: completed 1 day, failed 7 days.
   */
  keep?: { completed?: number; failed?: number }
}

export interface WorkOptions extends Pick<ReportOptions, 'onError' | 'onTaskEnd' | 'taskTimeout' | 'telemetry'> {
  /** Jobs run at once by this process. Default 1. */
  concurrency?: number
  /** On close, how long (ms) in-flight jobs may finish before they go back to the queue. Default 25 000. */
  gracePeriod?: number
  /**
   * Signals that close the worker gracefully, then exit 0 (a job abandoned at the deadline
   * goes back to the queue: nothing is lost); `false` for none. Default SIGINT, SIGTERM.
   */
  signals?: readonly string[] | false
  /** Passed to BullMQ's Worker (e.g. `lockDuration`, `stalledInterval`, `limiter`). */
  bullmq?: Partial<Omit<WorkerOptions, 'connection' | 'concurrency' | 'prefix' | 'autorun'>>
}

const WORK_OPTION_NAMES = {
  onError: true,
  onTaskEnd: true,
  taskTimeout: true,
  concurrency: true,
  gracePeriod: true,
  signals: true,
  bullmq: true,
  telemetry: true,
} as const satisfies OptionNames<WorkOptions>

/** What `jobs.work()` returns. */
export interface RunningWorker extends TaskSource {
  /** Stops taking jobs; in-flight ones finish within `gracePeriod` or go back to the queue. */
  close(): Promise<DrainResult>
}

interface JobData {
  /** The payload as JSON text: read back exactly as it was checked. */
  payload: string
  request?: RequestInfo
  /** W3C trace context of the enqueuing request, when its server has telemetry. */
  trace?: TraceCarrier
}

const KEEP = { completed: 24 * 3600, failed: 7 * 24 * 3600 }


/** Durable jobs on BullMQ: `define` them, register them in requests, and `work()` them anywhere. */
class BullQueue extends JobQueue {
  private readonly workers = new Set<RunningWorker>()
  /** The store's driver, imported and created on first use: importing the app (a test, a build) opens no connection. */
  private readonly driver: () => Promise<Driver>
  private driverLoaded: Promise<Driver> | undefined
  private readonly keep: { completed: number; failed: number }
  // Node, Bun and Deno: one deadline timer for the sends of many requests (see Deadlines).
  protected override readonly shareDeadlines = true

  constructor(options: BullQueueOptions) {
    const call = 'queue(options)'
    if (options === null || typeof options !== 'object') fail(call, 'options must be an object', options)
    const { connection, name, prefix, schema, migrate, keep = {} } = options
    checkOptionNames(
      call,
      options,
      { ...QUEUE_OPTION_NAMES, connection: true, name: true, prefix: true, schema: true, migrate: true, keep: true } satisfies OptionNames<BullQueueOptions>,
    )
    if (typeof name !== 'string' || name === '' || name.includes(':')) fail(call, 'options.name must be a non-empty string without ":"', name)
    super(call, name, options)
    const load = storeOf(call, { connection, prefix, schema, migrate, enqueueTimeout: this.enqueueTimeout })
    checkCount(call, 'options.keep.completed', keep.completed, 0)
    checkCount(call, 'options.keep.failed', keep.failed, 0)
    this.driver = () => (this.driverLoaded ??= load())
    this.keep = { ...KEEP, ...keep }
  }

  protected override extra(): {} {
    return {}
  }

  protected override async send(message: JobMessage, signal: AbortSignal): Promise<string> {
    const producer = (await this.driver()).producer(this.name)
    await producer.ready(signal)
    // The caller gave up waiting (and runs the job itself, or refused): too late to send.
    signal.throwIfAborted()
    const data: JobData = { payload: message.json, request: message.request }
    if (message.trace !== undefined) data.trace = message.trace
    const id = await producer.add(message.name, data, {
      jobId: message.id === undefined ? undefined : toEngineId(message.id),
      attempts: message.attempts,
      backoff: message.backoff,
      removeOnComplete: { age: this.keep.completed },
      removeOnFail: { age: this.keep.failed },
    })
    return message.id ?? String(id)
  }

  /** Runs this queue's jobs in this process until `close()` (or a signal). */
  work(options: WorkOptions = {}): RunningWorker {
    const call = 'jobs.work(options)'
    if (options === null || typeof options !== 'object') fail(call, 'options must be an object', options)
    checkOptionNames(call, options, WORK_OPTION_NAMES)
    const { onError, onTaskEnd, taskTimeout, telemetry } = options
    const reporting = reportOptionsOf(call, { onError, onTaskEnd, taskTimeout, telemetry })
    checkCount(call, 'options.concurrency', options.concurrency, 1)
    checkCount(call, 'options.gracePeriod', options.gracePeriod, 0)
    const signals = options.signals ?? ['SIGINT', 'SIGTERM']
    if (signals !== false && (!Array.isArray(signals) || signals.some((s) => typeof s !== 'string'))) {
      fail(call, 'options.signals must be an array of signal names or false', signals)
    }
    if (options.bullmq !== undefined && (options.bullmq === null || typeof options.bullmq !== 'object')) {
      fail(call, 'options.bullmq must be an object', options.bullmq)
    }
    const gracePeriod = options.gracePeriod ?? 25_000
    const runner = new JobRunner(reporting)

    const processor = async (job: Job<JobData>, token?: string): Promise<void> => {
      const info: JobInfo = {
        id: fromEngineId(String(job.id)),
        queue: this.name,
        attempt: job.attemptsMade + 1,
        attempts: job.opts.attempts ?? 1,
      }
      const definition = this.definitions.get(job.name)
      if (definition === undefined) {
        const error = new Error(`no job named "${job.name}" is defined in this worker of queue "${this.name}"`)
        runner.notify(error, { name: job.name, status: 'error', error, durationMs: 0, delivery: 'returned', request: job.data?.request ?? { method: '', url: '' }, job: info })
        throw error
      }
      // A job not added through us (no payload) fails inside the attempt, so it is reported too.
      const outcome = await runner.attempt(definition, job.data?.payload, job.data?.request, info, {}, progressTo(job), job.data?.trace)
      if (outcome.status === 'ok') return
      if (outcome.status === 'abandoned') {
        // Closing past the grace period: the job goes back to wait for the next worker,
        // without spending one of its attempts. WaitingError tells BullMQ it was moved.
        await job.moveToWait(token)
        throw new WaitingError()
      }
      throw toError(outcome.error)
    }

    const settings = { ...options.bullmq, concurrency: options.concurrency ?? 1 }
    const worker = this.driver().then((driver) => driver.worker(this.name, processor, settings))
    worker.catch((error: unknown) => console.error(`[finish-request] jobs.work(): queue "${this.name}" could not start:`, error))

    let closing: Promise<DrainResult> | undefined
    const unsubscribe: Array<() => void> = []
    const close = (): Promise<DrainResult> =>
      (closing ??= trackedClose(async () => {
        const before = { completed: runner.completed, abandoned: runner.abandoned }
        const deadline = performance.now() + gracePeriod
        // Stops fetching at once; resolves after every processor call has returned.
        const stopped = worker.then((w) => w.close())
        await runner.drain(deadline)
        await stopped.catch(() => {})
        for (const off of unsubscribe) off()
        this.workers.delete(running)
        return { completed: runner.completed - before.completed, abandoned: runner.abandoned - before.abandoned }
      }))

    // A job abandoned at the deadline goes back to the queue, not lost: a clean exit.
    const signalRuntime = processSignals()
    if (signals && signalRuntime) unsubscribe.push(closeOnSignals(signals, { close, abandonNow: () => runner.abandonAll() }, signalRuntime, 0))

    const running = asTaskSource({ close }, runner) as RunningWorker
    this.workers.add(running)
    return running
  }

  /** Closes this process's connection for enqueueing, and every worker started here. */
  async close(): Promise<void> {
    await Promise.all([...this.workers].map((w) => w.close()))
    await (await this.driverLoaded)?.close()
  }
}

/**
 * Mirrors `task.progress()` to BullMQ's `job.updateProgress`: one write in flight at a
 * time, the latest value wins, so a handler may call it as often as it likes.
 */
function progressTo(job: Job): (done: number, total?: number) => void {
  let writing = false
  let latest: { done: number; total?: number } | undefined
  const write = (): void => {
    if (latest === undefined) return
    const value = latest
    latest = undefined
    writing = true
    job.updateProgress(value).then(
      () => ((writing = false), write()),
      () => ((writing = false), write()),
    )
  }
  return (done, total) => {
    latest = total === undefined ? { done } : { done, total }
    if (!writing) write()
  }
}

/** `queue({ connection, name })`: durable jobs on BullMQ, on the user's Redis or PostgreSQL. */
export function queue(options: BullQueueOptions): BullQueue {
  return new BullQueue(options)
}

/** Starts `close` now; a signal's exit elsewhere in the process waits for it. */
function trackedClose<T>(close: () => Promise<T>): Promise<T> {
  const closing = close()
  trackClose(closing)
  return closing
}
