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
    producer: (name) => (producer ??= new RedisProducer(client(PRODUCER), name, prefix)),
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
  private connectedOnce = false
  /** One listener for every job waiting on the first connection, not one each. */
  private readonly firstConnection: Promise<void>

  constructor(
    private readonly client: Redis,
    name: string,
    prefix: string | undefined,
  ) {
    this.queue = new Queue(name, { connection: client, prefix })
    this.queue.on('error', () => {})
    this.firstConnection = new Promise((resolve) => client.once('ready', resolve))
    client.on('ready', () => (this.connectedOnce = true))
  }

  /**
   * The first connection is waited for (until `signal` aborts); after that, a
   * connection that is not ready means Redis is down, and waiting would only hold the
   * response.
   */
  ready(signal: AbortSignal): Promise<void> {
    const { status } = this.client
    if (status === 'ready') return Promise.resolve()
    if (this.connectedOnce || status === 'end') return Promise.reject(new Error(`Redis connection is ${status}`))
    return Promise.race([this.firstConnection, untilAborted(signal)])
  }

  async add(name: string, data: unknown, options: JobsOptions): Promise<string | undefined> {
    return (await this.queue.add(name, data, options)).id
  }

  async close(): Promise<void> {
    await this.queue.close().catch(() => {})
    await this.client.quit().catch(() => this.client.disconnect())
  }
}
