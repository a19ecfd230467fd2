// A throwaway PostgreSQL for P7 and the capacity table: Debian's server, a fresh cluster
// on a free port in a temp directory (test/helpers/postgres.ts), with BullMQ's schema
// migrated as a deployment step would. Unlike the tests it keeps PostgreSQL's default,
// durable settings (fsync and synchronous_commit on): what a user's database does. On
// the servers' CPU, or on every CPU for the capacity table: each connection's backend is
// forked by the postmaster and inherits its CPUs.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { runMigrations } from 'bullmq'
import pg from 'pg'
import { startPostgres as startCluster } from '../../test/helpers/postgres.ts'
import { ALL_CPUS, moveTo, SERVER_CPU } from './cpu.ts'

export interface Postgres {
  url: string
  stop(): Promise<void>
}

export async function startPostgres(cpus: 'server' | 'all' = 'server'): Promise<Postgres> {
  const cluster = await startCluster({})
  try {
    const postmaster = readFileSync(join(cluster.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]!
    moveTo(postmaster, cpus === 'server' ? SERVER_CPU : ALL_CPUS)
    const client = new pg.Client({ connectionString: cluster.url })
    await client.connect()
    try {
      await runMigrations(client)
    } finally {
      await client.end()
    }
  } catch (error) {
    await cluster.stop()
    throw error
  }
  return { url: cluster.url, stop: () => cluster.stop() }
}
