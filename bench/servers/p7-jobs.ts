// P7's jobs/s, on Node or Bun: enqueues JOBS no-op jobs on the store STORE_URL names
// (Redis or PostgreSQL), then times how long a worker with CONCURRENCY takes to complete
// them all, and prints {"jobsPerSecond": n}.
// MODE=bare: a bare BullMQ Worker; MODE=work: finish-request's `jobs.work()`.
import { writeSync } from 'node:fs'
import { createPostgresBackend, Queue, withBackend, Worker } from 'bullmq'
import { queue } from 'finish-request/bullmq'

const env = (globalThis as { process: { env: Record<string, string | undefined> } }).process.env
const connection = env.STORE_URL!
const count = Number(env.JOBS)
const concurrency = Number(env.CONCURRENCY)
const name = `p7-jobs-${env.MODE}-${Date.now()}`
const { hostname, port } = new URL(connection)
const postgres = connection.startsWith('postgres')
const redis = { host: hostname, port: Number(port) }
const OnPostgres = withBackend(createPostgresBackend)
/** The job options finish-request sets by default, so that the store does the same work in both modes. */
const SAME_JOB = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600 },
  removeOnFail: { age: 7 * 24 * 3600 },
}

/** Enqueues in batches of 100: the enqueueing is not what is timed. */
async function enqueue(add: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < count; i += 100) await Promise.all(Array.from({ length: Math.min(100, count - i) }, (_, k) => add(i + k)))
}

// The bench's process runner waits for this line; the result comes as a line of its own.
writeSync(1, JSON.stringify({ listening: 'started' }) + '\n')

let done = 0
let finished!: () => void
const allDone = new Promise<void>((resolve) => (finished = resolve))
const complete = () => {
  if (++done === count) finished()
}

let started: number
if (env.MODE === 'bare') {
  const plain = postgres ? new OnPostgres.Queue(name, { connection }) : new Queue(name, { connection: redis })
  await enqueue((i) => plain.add('job', { i }, SAME_JOB))
  started = performance.now()
  const worker = postgres
    ? new OnPostgres.Worker(name, async () => {}, { connection, concurrency })
    : new Worker(name, async () => {}, { connection: redis, concurrency })
  worker.on('completed', complete)
  await allDone
  await worker.close()
  await plain.close()
} else {
  const jobs = queue({ connection, name })
  const job = jobs.define('job', async () => {})
  await enqueue((i) => job.enqueue({ i }))
  started = performance.now()
  const running = jobs.work({ concurrency, onTaskEnd: complete })
  await allDone
  await running.close()
}
const seconds = (performance.now() - started) / 1000
writeSync(1, JSON.stringify({ jobsPerSecond: count / seconds }) + '\n')
;(globalThis as { process: { exit(code: number): void } }).process.exit(0)
