// One worker process of the capacity table, on Node: runs the jobs of QUEUE on the store
// STORE_URL names (Redis or PostgreSQL) with CONCURRENCY, until SIGTERM. MODE=bare: a
// BullMQ Worker written by hand; MODE=work: finish-request's `jobs.work()`, with the
// same options. A job's payload says what it does: `io` waits 2 ms (a query, a call),
// `cpu` computes for 2 ms (a template, a hash). The bench times the queue, not this.
import { writeSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { createPostgresBackend, withBackend, Worker, type Job } from 'bullmq'
import { queue } from 'finish-request/bullmq'

const url = process.env.STORE_URL!
const name = process.env.QUEUE!
const concurrency = Number(process.env.CONCURRENCY)
const postgres = url.startsWith('postgres')

export type Kind = 'io' | 'cpu'

function work(kind: Kind): Promise<void> | void {
  if (kind === 'io') return sleep(2)
  const end = performance.now() + 2
  while (performance.now() < end);
}

if (process.env.MODE === 'bare') {
  const { hostname, port } = new URL(url)
  const worker = postgres
    ? new (withBackend(createPostgresBackend).Worker)(name, async (job: Job<{ kind: Kind }>) => work(job.data.kind), { connection: url, concurrency })
    : new Worker(name, async (job: Job<{ kind: Kind }>) => work(job.data.kind), { connection: { host: hostname, port: Number(port) }, concurrency })
  process.once('SIGTERM', () => void worker.close().then(() => process.exit(0)))
} else {
  const jobs = queue({ connection: url, name })
  jobs.define('job', (payload: { kind: Kind }) => work(payload.kind))
  // Its own SIGTERM handling closes it gracefully and exits 0.
  jobs.work({ concurrency, onError: () => {} })
}
// CPU time this process has used so far, on request: the bench takes the difference
// across a measurement, a figure a busy machine disturbs far less than jobs/s.
process.on('SIGUSR2', () => {
  const { user, system } = process.cpuUsage()
  writeSync(1, JSON.stringify({ cpuMicros: user + system }) + '\n')
})
// The bench's process runner waits for this line; the bench then waits for BullMQ to list the worker.
writeSync(1, JSON.stringify({ listening: 'started' }) + '\n')
