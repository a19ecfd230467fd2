// Where BullMQ keeps the jobs: Redis or PostgreSQL. `finish-request/bullmq` is the same
// queue on either; this file is the one place that tells them apart. Each store's
// driver lives in its own module, imported on first use, so a PostgreSQL user needs no
// ioredis and a Redis user no pg (both are optional peers, as they are BullMQ's).
import { isPgPool, type JobsOptions, type PgPool, type Processor, type WorkerOptions } from 'bullmq'
import type { Redis } from 'ioredis'
import { fail } from '../src/validate.ts'

/** What `queue({ connection })` takes. */
export type Connection = string | Redis | PgPool

export interface StoreOptions {
  connection: Connection
  /** Redis only: BullMQ's key prefix. */
  prefix?: string
  /** PostgreSQL only, with a URL: the schema BullMQ's tables live in. */
  schema?: string
  /** PostgreSQL only: run BullMQ's migrations when this process first connects. */
  migrate?: boolean
  /** How long a request waits for an acknowledgement (ms): a producer's connect gives up by then. */
  enqueueTimeout: number
}

/** A producer: one per queue and process, created on first use. */
export interface Producer {
  /** BullMQ's `queue.add()`: resolves to the job's id once the store has it. */
  add(name: string, data: unknown, options: JobsOptions): Promise<string | undefined>
  /**
   * Resolves once the store can take a job; rejects once `signal` aborts, or at once
   * when the store is known to be down (waiting would only hold the response).
   */
  ready(signal: AbortSignal): Promise<void>
}

/** A BullMQ Worker running a queue's jobs, with whatever connection it needs. */
export interface StoreWorker {
  /** Stops taking jobs at once; resolves once every processor call has returned and the connection is closed. */
  close(): Promise<void>
}

export type WorkerSettings = Omit<WorkerOptions, 'connection' | 'prefix' | 'autorun'>

/** One store's driver: what `finish-request/bullmq` asks of Redis or PostgreSQL. */
export interface Driver {
  /** This process's producer; a broken one is replaced on the next call. */
  producer(name: string): Producer
  worker(name: string, processor: Processor, settings: WorkerSettings): StoreWorker
  /** Closes the producer. */
  close(): Promise<void>
}

const isRedisClient = (value: unknown): value is Redis =>
  value !== null && typeof value === 'object' && typeof (value as Redis).duplicate === 'function'

const isPostgres = (connection: Connection): boolean =>
  typeof connection === 'string' ? /^postgres(ql)?:\/\//i.test(connection) : !isRedisClient(connection) && isPgPool(connection)

/**
 * Checks the store's options at `queue()` (a TypeError naming the option) and returns
 * how to load its driver; nothing is imported or connected until the first use.
 */
export function storeOf(call: string, options: StoreOptions): () => Promise<Driver> {
  const { connection, prefix, schema, migrate } = options
  const known = typeof connection === 'string' || isRedisClient(connection) || isPgPool(connection)
  if (!known) fail(call, 'options.connection must be a Redis or PostgreSQL URL, an ioredis client or a pg.Pool', connection)
  if (prefix !== undefined && typeof prefix !== 'string') fail(call, 'options.prefix must be a string', prefix)
  if (migrate !== undefined && typeof migrate !== 'boolean') fail(call, 'options.migrate must be a boolean', migrate)
  let load: () => Promise<Driver>
  if (isPostgres(connection)) {
    if (prefix !== undefined) fail(call, 'options.prefix is for Redis; on PostgreSQL the namespace is options.schema', prefix)
    if (schema !== undefined && (typeof schema !== 'string' || !/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/.test(schema))) {
      fail(call, 'options.schema must be a simple identifier (letters, digits, _ and $)', schema)
    }
    if (schema !== undefined && typeof connection !== 'string') {
      fail(call, "options.schema needs a connection URL; a pg.Pool's schema is its own search_path", schema)
    }
    const settings = { connection: connection as string | PgPool, schema, migrate: migrate ?? false, connectTimeout: options.enqueueTimeout }
    load = async () => (await import('./bullmq-postgres.ts')).postgresDriver(settings)
  } else {
    if (schema !== undefined) fail(call, 'options.schema is for PostgreSQL; on Redis the namespace is options.prefix', schema)
    if (migrate !== undefined) fail(call, 'options.migrate is for PostgreSQL; Redis needs no migrations', migrate)
    const settings = { connection: connection as string | Redis, prefix }
    load = async () => (await import('./bullmq-redis.ts')).redisDriver(settings)
  }
  let loaded: Promise<Driver> | undefined
  return () => (loaded ??= load())
}

const aborted = new WeakMap<AbortSignal, Promise<never>>()

/**
 * Rejects with `signal`'s reason once it aborts. One listener per signal, however many
 * waits share it: the sends of many requests share one deadline signal (see
 * src/durable/deadlines.ts), and a burst of them waiting for the first connection must
 * not add a listener each.
 */
export function untilAborted(signal: AbortSignal): Promise<never> {
  let promise = aborted.get(signal)
  if (promise === undefined) {
    promise = new Promise<never>((_, reject) => {
      if (signal.aborted) return reject(signal.reason)
      signal.addEventListener('abort', () => reject(signal.reason), { once: true })
    })
    // Nobody may be waiting when it aborts.
    promise.catch(() => {})
    aborted.set(signal, promise)
  }
  return promise
}
