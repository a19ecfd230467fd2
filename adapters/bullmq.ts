import process from 'node:process'
import { Queue, Worker, WaitingError, type Job, type WorkerOptions } from 'bullmq'
import { Redis, type RedisOptions } from 'ioredis'
import { reportOptionsOf } from '../src/host/app.ts'
import { toError } from '../src/errors.ts'
import { JobQueue, QUEUE_OPTION_NAMES, type JobMessage, type QueueOptions } from '../src/durable/definition.ts'
import { fromEngineId, toEngineId } from '../src/durable/job-id.ts'
import { JobRunner } from '../src/durable/runner.ts'
import type { DrainResult } from '../src/supervisor.ts'
import type { TraceCarrier } from '../src/telemetry.ts'
import type { JobInfo, ReportOptions, RequestInfo, TaskSource } from '../src/types.ts'
import { checkCount, checkOptionNames, fail, type OptionNames } from '../src/validate.ts'

export type { JobDefinition, JobHandler, JobOptions, EnqueueOptions, QueueOptions } from '../src/durable/definition.ts'
export type { DrainResult, BullQueue }

export interface BullQueueOptions extends QueueOptions {
  /** A Redis URL (`redis://127.0.0.1:6379`), or an ioredis client whose settings are copied (it is left alone). */
  connection: string | Redis
  /** The BullMQ queue's name, shared by the web processes that enqueue and the workers that run. */
  name: string
  /** BullMQ's key prefix. Default `bull`. */
  prefix?: string
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
  /** Signals that close the worker gracefully, then exit 0; `false` for none. Default SIGINT, SIGTERM. */
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

/** The closes that signals started in this process, so the last one to finish exits. */
const closingWorkers = new Set<Promise<DrainResult>>()

/** Durable jobs on BullMQ: `define` them, register them in requests, and `work()` them anywhere. */
class BullQueue extends JobQueue {
  private producer: Producer | undefined
  private readonly workers = new Set<RunningWorker>()
  private readonly connection: string | Redis
  private readonly prefix: string | undefined
  private readonly keep: { completed: number; failed: number }

  constructor(options: BullQueueOptions) {
    const call = 'queue(options)'
    if (options === null || typeof options !== 'object') fail(call, 'options must be an object', options)
    const { connection, name, prefix, keep = {} } = options
    checkOptionNames(call, options, { ...QUEUE_OPTION_NAMES, connection: true, name: true, prefix: true, keep: true } satisfies OptionNames<BullQueueOptions>)
    if (typeof name !== 'string' || name === '' || name.includes(':')) fail(call, 'options.name must be a non-empty string without ":"', name)
    super(call, name, options)
    const isClient = connection !== null && typeof connection === 'object' && typeof (connection as Redis).duplicate === 'function'
    if (typeof connection !== 'string' && !isClient) fail(call, 'options.connection must be a Redis URL or an ioredis client', connection)
    if (prefix !== undefined && typeof prefix !== 'string') fail(call, 'options.prefix must be a string', prefix)
    checkCount(call, 'options.keep.completed', keep.completed, 0)
    checkCount(call, 'options.keep.failed', keep.failed, 0)
    this.connection = connection
    this.prefix = prefix
    this.keep = { ...KEEP, ...keep }
  }

  /**
   * A client of our own (closed by us), never the caller's: a producer must fail fast
   * while Redis is down, and a worker must wait forever (BullMQ requires
   * `maxRetriesPerRequest: null` for its blocking connection).
   */
  private client(options: RedisOptions): Redis {
    const client = typeof this.connection === 'string' ? new Redis(this.connection, options) : this.connection.duplicate(options)
    // Connection errors reach us through the failing commands; ioredis reconnects by itself.
    client.on('error', () => {})
    return client
  }

  protected override extra(): {} {
    return {}
  }

  protected override async send(message: JobMessage, signal: AbortSignal): Promise<string> {
    // Created on first use: importing the app (a test, a build) opens no connection.
    const producer = (this.producer ??= new Producer(this.client(PRODUCER), this.name, this.prefix))
    await producer.ready(signal)
    // The caller gave up waiting (and runs the job itself, or refused): too late to send.
    signal.throwIfAborted()
    const data: JobData = { payload: message.json, request: message.request }
    if (message.trace !== undefined) data.trace = message.trace
    const job = await producer.queue.add(message.name, data, {
      jobId: message.id === undefined ? undefined : toEngineId(message.id),
      attempts: message.attempts,
      backoff: message.backoff,
      removeOnComplete: { age: this.keep.completed },
      removeOnFail: { age: this.keep.failed },
    })
    return message.id ?? String(job.id)
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
    const client = this.client({ maxRetriesPerRequest: null })

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

    const worker = new Worker<JobData>(this.name, processor, {
      ...options.bullmq,
      connection: client,
      prefix: this.prefix,
      concurrency: options.concurrency ?? 1,
      autorun: true,
    })
    // BullMQ reports connection trouble here and retries by itself; job failures are our reports.
    worker.on('error', () => {})

    let closing: Promise<DrainResult> | undefined
    const unsubscribe: Array<() => void> = []
    const close = (): Promise<DrainResult> =>
      (closing ??= (async () => {
        const before = { completed: runner.completed, abandoned: runner.abandoned }
        const deadline = performance.now() + gracePeriod
        // Stops fetching at once; resolves after every processor call has returned.
        const stopped = worker.close()
        await runner.drain(deadline)
        await stopped.catch(() => {})
        await client.quit().catch(() => client.disconnect())
        for (const off of unsubscribe) off()
        this.workers.delete(running)
        return { completed: runner.completed - before.completed, abandoned: runner.abandoned - before.abandoned }
      })())

    const onSignal = (): void => {
      if (closing) return runner.abandonAll()
      const closed = close()
      closingWorkers.add(closed)
      // Every worker of this process got the signal: exit once all of them have closed.
      closed.then(() => Promise.all(closingWorkers)).then(
        () => process.exit(0),
        (error: unknown) => {
          console.error('[finish-request] worker close failed:', error)
          process.exit(1)
        },
      )
    }
    for (const signal of signals || []) {
      process.on(signal, onSignal)
      unsubscribe.push(() => void process.off(signal, onSignal))
    }

    const running: RunningWorker = {
      get pending() {
        return runner.pending
      },
      subscribe: (listener, options) => runner.subscribe(listener, options),
      close,
    }
    this.workers.add(running)
    return running
  }

  /** Closes this process's connection for enqueueing, and every worker started here. */
  async close(): Promise<void> {
    await Promise.all([...this.workers].map((w) => w.close()))
    const producer = this.producer
    this.producer = undefined
    await producer?.close()
  }
}

/**
 * The producer connection fails fast rather than late: no offline queue (a command
 * while Redis is unreachable fails at once instead of holding the response until Redis
 * is back) and no resending after a reconnect (a job the request gave up on and ran
 * itself must not be enqueued behind its back).
 */
const PRODUCER: RedisOptions = { maxRetriesPerRequest: 0, enableOfflineQueue: false, autoResendUnfulfilledCommands: false }

class Producer {
  readonly queue: Queue
  /**
   * Why Redis is known to be unreachable: a connection attempt failed or the connection
   * closed, or a request already waited a whole `enqueueTimeout` for it. Cleared when
   * the connection is ready again (ioredis keeps reconnecting by itself).
   */
  private down: Error | undefined
  /** Requests waiting for the connection's next outcome: one set of listeners for all of them. */
  private waiting = new Set<() => void>()

  constructor(
    readonly client: Redis,
    name: string,
    prefix: string | undefined,
  ) {
    this.queue = new Queue(name, { connection: client, prefix })
    this.queue.on('error', () => {})
    client.on('ready', () => {
      this.down = undefined
      this.wake()
    })
    client.on('error', (error: Error) => {
      this.down = error
      this.wake()
    })
    client.on('close', () => {
      this.down ??= new Error('the connection closed')
      this.wake()
    })
  }

  private wake(): void {
    const waiting = [...this.waiting]
    this.waiting.clear()
    for (const check of waiting) check()
  }

  /**
   * Resolves once the connection is ready. While Redis is known to be down it rejects
   * at once: every request waiting for a connect timeout would hold every response.
   * Otherwise (the first connection) it waits for the attempt's outcome, until `signal`
   * aborts, which then counts as down too.
   */
  ready(signal: AbortSignal): Promise<void> {
    const check = (): Error | undefined => {
      const { status } = this.client
      if (status === 'end') return new Error('the Redis connection is closed')
      if (status !== 'ready' && this.down !== undefined) return new Error(`Redis is unreachable (${this.down.message})`)
    }
    if (this.client.status === 'ready') return Promise.resolve()
    const known = check()
    if (known) return Promise.reject(known)
    return new Promise((resolve, reject) => {
      const onOutcome = (): void => {
        const failed = check()
        if (failed === undefined && this.client.status !== 'ready') return void this.waiting.add(onOutcome)
        signal.removeEventListener('abort', onAbort)
        if (failed) reject(failed)
        else resolve()
      }
      const onAbort = (): void => {
        this.waiting.delete(onOutcome)
        this.down ??= toError(signal.reason)
        reject(signal.reason)
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.waiting.add(onOutcome)
    })
  }

  async close(): Promise<void> {
    await this.queue.close().catch(() => {})
    await this.client.quit().catch(() => this.client.disconnect())
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

/** `queue({ connection, name })`: durable jobs on BullMQ, on the user's Redis. */
export function queue(options: BullQueueOptions): BullQueue {
  return new BullQueue(options)
}
