// P7: durable tasks (finish-request/bullmq) against BullMQ used by hand, on a Redis and a
// PostgreSQL the bench starts (on the servers' CPU). Response time: one server, /durable
// and /by-hand taking turns request by request. Jobs/s: a fresh process per round and
// mode completes the same no-op jobs, through `jobs.work()` or a bare BullMQ Worker with
// the same concurrency and job options. Node and Bun; each store is a cell of its own.
import { existsSync } from 'node:fs'
import type { Config } from '../config.ts'
import { onServerCpu } from '../lib/cpu.ts'
import { startServer } from '../lib/processes.ts'
import { startPostgres } from '../lib/postgres.ts'
import { startRedis } from '../lib/redis.ts'
import { rotate } from '../lib/stats.ts'
import type { Recorder, SeriesRole } from '../results.ts'
import { ROOT, type Group } from '../targets.ts'
import { measureAlternating, p50 } from './latency.ts'

const RUNTIMES: { group: Group; command: string; args: string[] }[] = [
  { group: 'node20', command: process.execPath, args: ['--import', 'tsx'] },
  { group: 'bun', command: `${ROOT}node_modules/.bin/bun`, args: [] },
]

type Store = 'redis' | 'postgres'
const STORES: Record<Store, { label: string; start(): Promise<{ url: string; stop(): Promise<void> }> }> = {
  redis: { label: 'Redis', start: () => startRedis() },
  postgres: { label: 'PostgreSQL', start: () => startPostgres() },
}

// Redis keeps the ids it had before PostgreSQL was measured, so earlier runs compare.
const row = (store: Store, group: Group, role: SeriesRole, label: string) => ({
  id: store === 'redis' ? `${group}-p7-${role}` : `${group}-p7-${store}-${role}`,
  label: `${label}, ${STORES[store].label}`,
  group,
  role,
  cell: STORES[store].label,
})

function notMerged(): string | undefined {
  if (!existsSync(`${ROOT}dist/bullmq.js`)) return 'finish-request/bullmq is not merged yet'
  return undefined
}

export async function measureDurable(config: Config, rec: Recorder, log: (m: string) => void, unavailable?: string): Promise<void> {
  const missing = unavailable ?? notMerged()
  for (const store of Object.keys(STORES) as Store[]) await measureOn(store, config, rec, log, missing)
}

async function measureOn(store: Store, config: Config, rec: Recorder, log: (m: string) => void, missing: string | undefined): Promise<void> {
  const rows = (group: Group) => ({
    hand: row(store, group, 'by-hand', 'await queue.add() by hand (same job options), then answer'),
    durable: row(store, group, 'durable', 'finish-request, one durable task'),
    bare: row(store, group, 'bare-worker', 'bare BullMQ Worker'),
    work: row(store, group, 'jobs-work', 'finish-request jobs.work()'),
  })
  const { label } = STORES[store]
  if (missing) {
    for (const { group } of RUNTIMES) {
      const r = rows(group)
      for (const [figure, target] of [['P7r', r.hand], ['P7r', r.durable], ['P7j', r.bare], ['P7j', r.work]] as const) rec.missing(figure, target, missing)
    }
    log(`  not measured on ${label}: ${missing}`)
    return
  }
  let server: { url: string; stop(): Promise<void> }
  try {
    server = await STORES[store].start()
  } catch (error) {
    for (const { group } of RUNTIMES) rec.fail('P7r', rows(group).durable, 0, `${label} did not start: ${(error as Error).message.split('\n')[0]}`)
    return
  }
  try {
    for (const runtime of RUNTIMES) {
      const r = rows(runtime.group)
      if (!existsSync(runtime.command)) {
        for (const [figure, target] of [['P7r', r.hand], ['P7r', r.durable], ['P7j', r.bare], ['P7j', r.work]] as const) rec.missing(figure, target, `${runtime.command} is not installed`)
        continue
      }
      const env = { STORE_URL: server.url }
      log(`  ${runtime.group} P7 response time on ${label}`)
      try {
        const app = await startServer(`${runtime.group}-p7-${store}`, onServerCpu({ command: runtime.command, args: [...runtime.args, `${ROOT}bench/servers/p7-server.ts`], env, cwd: ROOT }))
        try {
          for (let round = 0; round < config.p7.rounds; round++) {
            const [first, second] = rotate([r.durable, r.hand], round)
            const runs = await measureAlternating(
              [first, second].map((t) => ({ url: app.url, path: t === r.durable ? '/durable' : '/by-hand' })),
              { warmup: 50, count: config.p7.requests, intervalMs: 0, timeoutMs: 10_000 },
            )
            rec.record('P7r', first!, round, p50(runs[0]!), runs[0]!.failures)
            rec.record('P7r', second!, round, p50(runs[1]!), runs[1]!.failures)
          }
        } finally {
          await app.stop()
        }
      } catch (error) {
        rec.fail('P7r', r.durable, 0, (error as Error).message.split('\n')[0]!)
      }
      for (let round = 0; round < config.p7.rounds; round++) {
        log(`  ${runtime.group} P7 jobs/s on ${label}, round ${round + 1}/${config.p7.rounds}`)
        for (const mode of rotate(['bare', 'work'] as const, round)) {
          const target = mode === 'bare' ? r.bare : r.work
          try {
            const child = await startServer(
              `${runtime.group}-p7-${store}-${mode}`,
              onServerCpu({
                command: runtime.command,
                args: [...runtime.args, `${ROOT}bench/servers/p7-jobs.ts`],
                env: { ...env, MODE: mode, JOBS: String(config.p7.jobs), CONCURRENCY: String(config.p7.concurrency) },
                cwd: ROOT,
              }),
            )
            // Bounded: a worker that never completes its jobs is killed and the round fails.
            const limit = setTimeout(() => void child.stop(0), 120_000)
            await child.closed
            clearTimeout(limit)
            const line = child.lines.find((l) => l.includes('jobsPerSecond'))
            const result = line ? (JSON.parse(line) as { jobsPerSecond: number }) : undefined
            if (!result) throw new Error(`no result: ${child.stderr.split('\n')[0]}`)
            rec.record('P7j', target, round, result.jobsPerSecond)
          } catch (error) {
            rec.fail('P7j', target, round, (error as Error).message.split('\n')[0]!)
          }
        }
      }
    }
  } finally {
    await server.stop()
  }
}
