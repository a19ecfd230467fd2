// BullMQ on PostgreSQL: BullMQ's own backend (`withBackend(createPostgresBackend)`,
// BullMQ >= 6.7), which owns the schema, its SQL and its migrations. What is ours: the
// connection settings, and recovering from a store that was down when a producer or a
// worker first connected (BullMQ keeps that first failure for the life of the object).
import { createPostgresBackend, runMigrations, withBackend, type JobsOptions, type PgPool, type PostgresConnectionOptions, type Processor } from 'bullmq'
import { untilAborted, type Driver, type Producer, type StoreWorker, type WorkerSettings } from './bullmq-store.ts'

export interface PostgresSettings {
  /** A URL (BullMQ builds and closes its own pools from it), or the caller's pg.Pool (shared, never closed by us). */
  connection: string | PgPool
  /** With a URL: BullMQ's schema. Default `bullmq`. */
  schema: string | undefined
  /** Run BullMQ's migrations (idempotent, serialised by an advisory lock) on first connect. */
  migrate: boolean
  /** A producer's connect gives up after this long (ms): the request has fallen back by then. */
  connectTimeout: number
}

const { Queue, Worker } = withBackend(createPostgresBackend)

/** A worker's connect gives up after this long, so a black-holed server is retried rather than waited on forever. */
const WORKER_CONNECT_TIMEOUT = 10_000
/** Between a worker's attempts to reach a server that was down, doubling up to the maximum. */
const RETRY = { first: 250, max: 5_000 }

export function postgresDriver(settings: PostgresSettings): Driver {
  const { connection, schema, migrate } = settings
  /** What BullMQ gets as `connection`; a pg.Pool goes as it is. */
  const connectionFor = (connectTimeout: number): PostgresConnectionOptions =>
    typeof connection === 'string'
      ? { connectionString: connection, schema, migrate, keepAlive: true, connectionTimeoutMillis: connectTimeout }
      : connection

  // BullMQ migrates a pool it builds itself (`migrate` above); the caller's pool is
  // migrated here, once, with BullMQ's own runMigrations on one checked-out client.
  let migrated: Promise<void> | undefined
  const prepare = (): Promise<void> => {
    if (!migrate || typeof connection === 'string') return Promise.resolve()
    return (migrated ??= migratePool(connection).catch((error: unknown) => {
      migrated = undefined
      throw error
    }))
  }

  let producer: PostgresProducer | undefined
  return {
    producer(name) {
      if (producer?.broken) void producer.close()
      if (producer === undefined || producer.broken) producer = new PostgresProducer(name, connectionFor(settings.connectTimeout), prepare)
      return producer
    },
    worker: (name, processor, workerSettings) => startWorker(name, processor, workerSettings, connectionFor(WORKER_CONNECT_TIMEOUT), prepare),
    async close() {
      const closing = producer
      producer = undefined
      await closing?.close()
    },
  }
}

async function migratePool(pool: PgPool): Promise<void> {
  const client = await pool.connect()
  try {
    await runMigrations(client)
  } finally {
    client.release()
  }
}

class PostgresProducer implements Producer {
  /** Made once migrated (when this process migrates): a Queue checks the schema as soon as it is made. */
  private queue: InstanceType<typeof Queue> | undefined
  private opening: Promise<void> | undefined
  /** Its first connection failed: BullMQ would fail every later call the same way, so the driver replaces it. */
  broken = false
  private connected = false

  constructor(
    private readonly name: string,
    private readonly connection: PostgresConnectionOptions,
    private readonly prepare: () => Promise<void>,
  ) {}

  ready(signal: AbortSignal): Promise<void> {
    // Once connected, the pool reconnects by itself and a down server fails the add at once.
    if (this.connected) return Promise.resolve()
    if (this.opening === undefined) {
      this.opening = this.prepare().then(() => {
        const queue = (this.queue = new Queue(this.name, { connection: this.connection }))
        queue.on('error', () => {})
        return queue.waitUntilReady()
      })
      this.opening.then(
        () => (this.connected = true),
        () => (this.broken = true),
      )
    }
    return Promise.race([this.opening, untilAborted(signal)])
  }

  /** Called only once `ready()` has resolved. */
  async add(name: string, data: unknown, options: JobsOptions): Promise<string | undefined> {
    return (await this.queue!.add(name, data, options)).id
  }

  async close(): Promise<void> {
    await this.opening?.catch(() => {})
    await this.queue?.close().catch(() => {})
  }
}

/**
 * A BullMQ Worker, started once the server answers: a Worker whose first connection
 * failed never runs a job (nor says so), so until one is ready each attempt is closed
 * and the next made after a pause. What stands in the way is logged once per cause
 * (a server that is down, a schema that was never migrated).
 */
function startWorker(
  name: string,
  processor: Processor,
  settings: WorkerSettings,
  connection: PostgresConnectionOptions,
  prepare: () => Promise<void>,
): StoreWorker {
  let stopping = false
  let wake = (): void => {}
  let running: InstanceType<typeof Worker> | undefined
  const started = (async () => {
    let delay = RETRY.first
    let logged = ''
    while (!stopping) {
      let worker: InstanceType<typeof Worker> | undefined
      try {
        // Migrated first: a Worker checks the schema as soon as it is made.
        await prepare()
        worker = new Worker(name, processor, { ...settings, connection, autorun: false })
        // BullMQ reports connection trouble here and retries by itself; job failures are our reports.
        worker.on('error', () => {})
        await worker.waitUntilReady()
      } catch (error) {
        await worker?.close().catch(() => {})
        const cause = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
        if (cause !== logged) console.error(`[finish-request] jobs.work(): queue "${name}" cannot start on PostgreSQL yet (${cause}); retrying`)
        logged = cause
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay)
          wake = () => (clearTimeout(timer), resolve())
        })
        delay = Math.min(delay * 2, RETRY.max)
        continue
      }
      if (stopping) return void (await worker.close().catch(() => {}))
      running = worker
      void worker.run().catch(() => {})
      return
    }
  })()
  return {
    async close() {
      stopping = true
      wake()
      await started
      await running?.close().catch(() => {})
    },
  }
}
