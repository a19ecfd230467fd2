// BullMQ on Redis (ioredis): the connections `finish-request/bullmq` opens, and how a
// producer fails fast while Redis is down.
import { Queue, Worker, type JobsOptions, type Processor } from 'bullmq'
import { Redis, type RedisOptions } from 'ioredis'
import { untilAborted, type Driver, type Producer, type StoreWorker, type WorkerSettings } from './bullmq-store.ts'

export interface RedisSettings {
  /** A URL, or an ioredis client whose settings are copied (it is left alone). */
  connection: string | Redis
  prefix: string | undefined
}

/**
 * The producer connection fails fast rather than late: no offline queue (a command
 * while Redis is unreachable fails at once instead of holding the response until Redis
 * is back) and no resending after a reconnect (a job the request gave up on and ran
 * itself must not be enqueued behind its back).
 */
const PRODUCER: RedisOptions = { maxRetriesPerRequest: 0, enableOfflineQueue: false, autoResendUnfulfilledCommands: false }

/** BullMQ requires `maxRetriesPerRequest: null` for a worker's blocking connection: it waits forever. */
const WORKER: RedisOptions = { maxRetriesPerRequest: null }

export function redisDriver({ connection, prefix }: RedisSettings): Driver {
  /** A client of our own (closed by us), never the caller's. */
  const client = (options: RedisOptions): Redis => {
    const created = typeof connection === 'string' ? new Redis(connection, options) : connection.duplicate(options)
    // Connection errors reach us through the failing commands; ioredis reconnects by itself.
    created.on('error', () => {})
    return created
  }
  let producer: RedisProducer | undefined
  return {
    producer(name) {
      // A connection ioredis gave up on (a copied retryStrategy that returned null) stays
      // ended: replace it, or every later job would fall back until a restart.
      if (producer?.ended) {
        void producer.close()
        producer = undefined
      }
      return (producer ??= new RedisProducer(client(PRODUCER), name, prefix))
    },
    worker(name: string, processor: Processor, settings: WorkerSettings): StoreWorker {
      const own = client(WORKER)
      const worker = new Worker(name, processor, { ...settings, connection: own, prefix, autorun: true })
      // BullMQ reports connection trouble here and retries by itself; job failures are our reports.
      worker.on('error', () => {})
      return {
        async close() {
          await worker.close().catch(() => {})
          await own.quit().catch(() => own.disconnect())
        },
      }
    },
    async close() {
      const closing = producer
      producer = undefined
      await closing?.close()
    },
  }
}

class RedisProducer implements Producer {
  private readonly queue: Queue
  /**
   * Why Redis is known to be unreachable: a connection attempt failed or the connection
   * closed, or a request already waited a whole `enqueueTimeout` for it. Cleared when
   * the connection is ready again (ioredis keeps reconnecting by itself).
   */
  private down: Error | undefined
  /** Requests waiting for the connection's next outcome: one set of listeners for all of them. */
  private waiting = new Set<() => void>()

  constructor(
    private readonly client: Redis,
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

  get ended(): boolean {
    return this.client.status === 'end'
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
    const outcome = new Promise<void>((resolve, reject) => {
      const onOutcome = (): void => {
        const failed = check()
        if (failed === undefined && this.client.status !== 'ready') return void this.waiting.add(onOutcome)
        if (failed) reject(failed)
        else resolve()
      }
      this.waiting.add(onOutcome)
    })
    // One abort listener per (shared) deadline signal, not one per waiting request.
    return Promise.race([outcome, untilAborted(signal)]).catch((error: unknown) => {
      if (signal.aborted) this.down ??= error instanceof Error ? error : new Error(String(error))
      throw error
    })
  }

  async add(name: string, data: unknown, options: JobsOptions): Promise<string | undefined> {
    return (await this.queue.add(name, data, options)).id
  }

  async close(): Promise<void> {
    await this.queue.close().catch(() => {})
    await this.client.quit().catch(() => this.client.disconnect())
  }
}
