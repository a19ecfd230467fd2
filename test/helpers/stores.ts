// The stores `finish-request/bullmq` runs on, for suites that run on each: a real
// Redis or a real PostgreSQL started for the suite, with a BullMQ Queue of the same
// store to look at what it holds. STORES=redis or STORES=postgres narrows a run.
import { createPostgresBackend, Queue, runMigrations, withBackend } from 'bullmq'
import pg from 'pg'
import { freePort } from './free-port.ts'
import { startPostgres } from './postgres.ts'
import { startRedis } from './redis.ts'

export interface TestStore {
  /** 'redis' or 'postgres' */
  name: string
  url: string
  /** A BullMQ Queue on this store, to look at a queue's jobs as BullMQ sees them. */
  inspect(queue: string): Pick<Queue, 'getJob' | 'getJobState' | 'getJobCounts' | 'close'>
  /** Kills the server (a crash, not a shutdown). */
  kill(): Promise<void>
  /** Starts it again on the same port. */
  restart(): Promise<void>
  stop(): Promise<void>
}

export interface StoreKind {
  name: 'redis' | 'postgres'
  start(): Promise<TestStore>
}

const { Queue: PostgresQueue } = withBackend(createPostgresBackend)

/**
 * BullMQ's migrations, as a deployment step would run them: once, before any web
 * process or worker connects (they never migrate by default).
 */
export async function migrate(url: string, schema?: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await runMigrations(client, schema)
  } finally {
    await client.end()
  }
}

const all: StoreKind[] = [
  {
    name: 'redis',
    async start() {
      const redis = await startRedis()
      return {
        name: 'redis',
        url: redis.url,
        // Connection options rather than a client: BullMQ closes what it opened itself.
        inspect: (queue) => new Queue(queue, { connection: { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null } }),
        kill: () => redis.kill(),
        restart: () => redis.restart(),
        stop: () => redis.stop(),
      }
    },
  },
  {
    name: 'postgres',
    async start() {
      const postgres = await startPostgres()
      await migrate(postgres.url)
      return {
        name: 'postgres',
        url: postgres.url,
        inspect: (queue) => new PostgresQueue(queue, { connection: postgres.url }),
        kill: () => postgres.kill(),
        restart: () => postgres.restart(),
        stop: () => postgres.stop(),
      }
    },
  },
]

export const stores: StoreKind[] = all.filter((s) => !process.env.STORES || process.env.STORES.split(',').includes(s.name))

/** A URL of `store`'s kind where nothing listens: an engine that is down from the start. */
export async function deadUrl(store: TestStore): Promise<string> {
  const port = await freePort()
  return store.name === 'redis' ? `redis://127.0.0.1:${port}` : `postgres://postgres@127.0.0.1:${port}/postgres`
}
