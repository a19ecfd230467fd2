// P7c, the capacity table: jobs/s through N worker processes (N = 1, 2, 4 by default),
// each running `jobs.work()` or a bare BullMQ Worker with the same options, on Redis and
// on PostgreSQL, for a 2 ms I/O job and a 2 ms CPU job. Node only.
//
// One measurement: a fresh queue is paused, N processes start and BullMQ lists them as
// workers, the jobs are enqueued, and the clock runs from `resume()` until BullMQ counts
// them all completed (polled every 20 ms, the same for both modes). Then the other job
// kind on the same processes. Nothing is pinned: the processes and the store share every
// CPU, as they would on a machine of their own. The modes take turns, starting with a
// different one each round; the ratio is taken per round. Beside jobs/s, P7cpu: the CPU
// time the worker processes spent per job (their own, read before and after), which a
// busy machine disturbs far less: the library's cost per job, whatever the load.
import { setTimeout as sleep } from 'node:timers/promises'
import { createPostgresBackend, Queue, withBackend } from 'bullmq'
import type { Config } from '../config.ts'
import { onAllCpus } from '../lib/cpu.ts'
import { startPostgres } from '../lib/postgres.ts'
import { startServer, type Child } from '../lib/processes.ts'
import { startRedis } from '../lib/redis.ts'
import { rotate } from '../lib/stats.ts'
import type { Recorder, SeriesRole } from '../results.ts'
import { ROOT } from '../targets.ts'

type StoreName = 'redis' | 'postgres'
type Kind = 'io' | 'cpu'
type Mode = 'bare' | 'work'

const STORES: Record<StoreName, string> = { redis: 'Redis', postgres: 'PostgreSQL' }
const KINDS: Record<Kind, string> = { io: '2 ms I/O job', cpu: '2 ms CPU job' }
const MODES: Record<Mode, { role: SeriesRole; label: string }> = {
  bare: { role: 'bare-worker', label: 'bare BullMQ Worker' },
  work: { role: 'jobs-work', label: 'finish-request jobs.work()' },
}

/** The job options finish-request sets by default, so that both modes make the store do the same work. */
const SAME_JOB = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600 },
  removeOnFail: { age: 7 * 24 * 3600 },
}

const { Queue: PostgresQueue } = withBackend(createPostgresBackend)

export function capacityTarget(store: StoreName, kind: Kind, processes: number, mode: Mode) {
  const cell = `${STORES[store]}, ${KINDS[kind]}, N=${processes}`
  return { id: `node20-p7c-${store}-${kind}-n${processes}-${mode}`, label: `${MODES[mode].label}: ${cell}`, group: 'node20' as const, role: MODES[mode].role, cell }
}

export async function measureCapacity(
  config: Config,
  rec: Recorder,
  log: (m: string) => void,
  unavailable?: string,
  /** Past the run's budget: no further round starts. */
  outOfTime: () => boolean = () => false,
): Promise<void> {
  const plan = config.capacity
  const every = (fn: (store: StoreName, kind: Kind, n: number, mode: Mode) => void) => {
    for (const store of Object.keys(STORES) as StoreName[])
      for (const kind of Object.keys(KINDS) as Kind[]) for (const n of plan.processes) for (const mode of Object.keys(MODES) as Mode[]) fn(store, kind, n, mode)
  }
  if (unavailable) {
    every((store, kind, n, mode) => {
      rec.missing('P7c', capacityTarget(store, kind, n, mode), unavailable)
      rec.missing('P7cpu', capacityTarget(store, kind, n, mode), unavailable)
    })
    log(`  not measured: ${unavailable}`)
    return
  }
  for (const store of Object.keys(STORES) as StoreName[]) {
    let server: { url: string; stop(): Promise<void> }
    try {
      server = store === 'redis' ? await startRedis('all') : await startPostgres('all')
    } catch (error) {
      const why = `${STORES[store]} did not start: ${(error as Error).message.split('\n')[0]}`
      every((s, kind, n, mode) => s === store && rec.fail('P7c', capacityTarget(s, kind, n, mode), 0, why))
      continue
    }
    try {
      for (let round = 0; round < plan.rounds && !outOfTime(); round++) {
        for (const n of plan.processes) {
          for (const mode of rotate(['bare', 'work'] as Mode[], round)) {
            log(`  P7c ${STORES[store]} N=${n} ${MODES[mode].label}, round ${round + 1}/${plan.rounds}`)
            const name = `p7c-${round}-${n}-${mode}-${Date.now()}`
            try {
              for (const [kind, jobsPerSecond, cpuPerJob] of await measureCell(store, server.url, name, n, mode, plan)) {
                rec.record('P7c', capacityTarget(store, kind, n, mode), round, jobsPerSecond)
                rec.record('P7cpu', capacityTarget(store, kind, n, mode), round, cpuPerJob)
              }
            } catch (error) {
              const why = (error as Error).message.split('\n')[0]!
              for (const kind of Object.keys(KINDS) as Kind[]) {
                rec.fail('P7c', capacityTarget(store, kind, n, mode), round, why)
                rec.fail('P7cpu', capacityTarget(store, kind, n, mode), round, why)
              }
              log(`  P7c failed: ${why}`)
            }
          }
        }
      }
    } finally {
      await server.stop()
    }
  }
}

/** N processes of one mode on a fresh queue; jobs/s for each job kind in turn. */
async function measureCell(
  store: StoreName,
  url: string,
  name: string,
  processes: number,
  mode: Mode,
  plan: Config['capacity'],
): Promise<Array<[Kind, number, number]>> {
  const { hostname, port } = new URL(url)
  const queue =
    store === 'postgres' ? new PostgresQueue(name, { connection: url }) : new Queue(name, { connection: { host: hostname, port: Number(port) } })
  const children: Child[] = []
  // Enqueued the way each mode's users would: a finish-request definition, or queue.add() by hand.
  const { queue: finishRequestQueue } = await import('finish-request/bullmq')
  const producer = finishRequestQueue({ connection: url, name })
  const job = producer.define('job', () => {})
  const enqueue = async (kind: Kind, count: number) => {
    for (let i = 0; i < count; i += 200) {
      const batch = Array.from({ length: Math.min(200, count - i) }, () => ({ kind }))
      if (mode === 'work') await Promise.all(batch.map((payload) => job.enqueue(payload)))
      else await queue.addBulk(batch.map((data) => ({ name: 'job', data, opts: SAME_JOB })))
    }
  }
  try {
    await queue.pause()
    for (let i = 0; i < processes; i++) {
      children.push(
        await startServer(
          `p7c-${mode}-${i}`,
          onAllCpus({
            command: process.execPath,
            args: ['--import', 'tsx', `${ROOT}bench/servers/capacity-worker.ts`],
            env: { STORE_URL: url, QUEUE: name, MODE: mode, CONCURRENCY: String(plan.concurrency) },
            cwd: ROOT,
          }),
        ),
      )
    }
    await until(async () => (await queue.getWorkersCount()) >= processes, 30_000, `${processes} workers to connect`)
    const results: Array<[Kind, number, number]> = []
    let total = 0
    for (const kind of ['io', 'cpu'] as Kind[]) {
      const count = plan.jobs[store][kind]
      await enqueue(kind, count)
      total += count
      const cpuBefore = await cpuMicros(children)
      const started = performance.now()
      await queue.resume()
      await until(async () => (await queue.getJobCounts('completed')).completed >= total, 120_000, `${count} ${kind} jobs`, 20)
      const seconds = (performance.now() - started) / 1000
      await queue.pause()
      results.push([kind, count / seconds, ((await cpuMicros(children)) - cpuBefore) / count])
    }
    return results
  } finally {
    await Promise.all(children.map((child) => child.stop(10_000)))
    await producer.close()
    // What the round left behind would slow the next rounds' store: remove it.
    await queue.obliterate({ force: true }).catch(() => {})
    await queue.close()
  }
}

/** The CPU time (µs) the worker processes have used so far, summed: each answers SIGUSR2 with a line. */
async function cpuMicros(children: Child[]): Promise<number> {
  const readings = children.map((child) => {
    const seen = child.lines.length
    child.process.kill('SIGUSR2')
    return until(async () => child.lines.slice(seen).some((l) => l.includes('cpuMicros')), 10_000, 'a CPU reading', 5).then(() => {
      const line = child.lines.slice(seen).find((l) => l.includes('cpuMicros'))!
      return (JSON.parse(line) as { cpuMicros: number }).cpuMicros
    })
  })
  return (await Promise.all(readings)).reduce((a, b) => a + b, 0)
}

async function until(check: () => Promise<boolean>, ms: number, what: string, everyMs = 100): Promise<void> {
  const deadline = performance.now() + ms
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await sleep(everyMs)
  }
}
