// Starts the durable fault workload's web or worker process on one runtime, and
// enqueues jobs from the test process itself.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { queue } from 'finish-request/bullmq'
import { spawnServer, type Served } from '../../conformance/harness.ts'

const entry = (name: string) => fileURLToPath(new URL(`./${name}`, import.meta.url))
const bin = (name: string) => fileURLToPath(new URL(`../../../node_modules/.bin/${name}`, import.meta.url))

export interface DurableRuntime {
  name: string
  start(file: 'web.ts' | 'worker.ts', env: Record<string, string>): Promise<Served>
}

const all: DurableRuntime[] = [
  {
    name: `node${process.versions.node.split('.')[0]}`,
    start: (file, env) => spawnServer(`node ${file}`, process.execPath, ['--import', 'tsx', entry(file)], env),
  },
  { name: 'bun', start: (file, env) => spawnServer(`bun ${file}`, bin('bun'), [entry(file)], env) },
  {
    name: 'deno',
    start: (file, env) => spawnServer(`deno ${file}`, bin('deno'), ['run', '--allow-all', '--quiet', entry(file)], env),
  },
]

for (const name of ['bun', 'deno']) {
  if (!existsSync(bin(name))) throw new Error(`${bin(name)} is missing: the ${name} package is a dev dependency`)
}

/** RUNTIMES=bun,deno narrows a run, as for the other scenarios. */
export const durableRuntimes = all.filter(
  (r) => !process.env.RUNTIMES || process.env.RUNTIMES.split(',').some((n) => r.name.startsWith(n)),
)

/** Enqueues `work` jobs as a script would, outside any request. */
export async function enqueueAll(url: string, name: string, jobs: Array<{ id: string; ms: number }>): Promise<void> {
  const producer = queue({ connection: url, name })
  const work = producer.define('work', () => {})
  try {
    await Promise.all(jobs.map((job) => work.enqueue(job, { id: job.id })))
  } finally {
    await producer.close()
  }
}

/** How many times each id appears among `events` of `type`. */
export function tally(events: Array<{ type: string; id?: string }>, type: string): Map<string, number> {
  const counts = new Map<string, number>()
  for (const e of events) if (e.type === type && e.id) counts.set(e.id, (counts.get(e.id) ?? 0) + 1)
  return counts
}
