// A quick A/B between a few servers while working on the core, not a figure of the
// bench: P3 (wrk, rounds taking turns) or P4 (heap bytes per pending task), printed
// per round. Uses dist/, so run `npm run build` after changing src/.
//
//   node --import tsx bench/probe.ts p3 node20-bare node20-after [rounds=5] [seconds=3]
//   node --import tsx bench/probe.ts p4 node20-promise node20-after [count=50000]
//   P3_ROUTE=p3s node --import tsx bench/probe.ts p3pair bun-bare bun-after   # a streamed body
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { pinClient } from './lib/cpu.ts'
import { startServer, type Child } from './lib/processes.ts'
import { measureMemory } from './measure/memory.ts'
import { measureThroughput } from './measure/throughput.ts'
import { fireAndForget, nodeTargets, runtimeReference, runtimeTargets, type Target } from './targets.ts'

const [figure, ...rest] = process.argv.slice(2)
/** p3 (a JSON body) or p3s (the same body streamed). */
const route = process.env.P3_ROUTE ?? 'p3'
const ids = rest.filter((arg) => !/^\d+$/.test(arg))
const numbers = rest.filter((arg) => /^\d+$/.test(arg)).map(Number)

const all: Target[] = [
  ...(['node20', 'node22', 'node24', 'node26'] as const).flatMap((group) => [...nodeTargets(group), fireAndForget(group)]),
  ...(['bun', 'deno'] as const).flatMap((group) => [...runtimeTargets(group), runtimeReference(group)]),
]
const targets = ids.map((id) => {
  // node20:path/to/server.ts: an ad-hoc server of your own, run like the bench's Node 20 servers.
  if (id.startsWith('node20:')) return adHoc(id.slice(7))
  const target = all.find((t) => t.id === id)
  if (!target) throw new Error(`unknown server ${id}; one of: ${all.map((t) => t.id).join(', ')}`)
  if (target.missing) throw new Error(`${id}: ${target.missing}`)
  return target
})

/** A process's CPU time so far (user + system), in ms, from /proc. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
}

function adHoc(file: string): Target {
  const model = nodeTargets('node20')[0]!
  const swap = (args: string[]) => args.map((arg) => (arg.endsWith('node-bare.ts') ? resolve(file) : arg))
  return { ...model, id: file, command: (flags) => ({ ...model.command(flags), args: swap(model.command(flags).args) }) }
}

if (figure === 'p3') {
  const [rounds = 5, seconds = 3] = numbers
  console.log(pinClient())
  const servers = new Map<Target, Child>()
  for (const target of targets) servers.set(target, await startServer(target.id, target.command()))
  try {
    for (const target of targets) await measureThroughput(`${servers.get(target)!.url}${route}`, 2)
    for (let round = 1; round <= rounds; round++) {
      const line: string[] = []
      // Each round starts with a different server, as the bench does.
      for (let i = 0; i < targets.length; i++) {
        const target = targets[(i + round) % targets.length]!
        const child = servers.get(target)!
        const before = cpuMs(child.process.pid!)
        const { rps } = await measureThroughput(`${child.url}${route}`, seconds)
        // CPU per request moves less than requests/s when the machine's other load comes and goes.
        const perRequest = ((cpuMs(child.process.pid!) - before) * 1000) / (rps * seconds)
        line.push(`${target.id} ${rps.toFixed(0)}/s ${perRequest.toFixed(1)}µs`)
      }
      console.log(`round ${round}: ${line.join('  ')}`)
    }
  } finally {
    for (const child of servers.values()) await child.stop()
  }
} else if (figure === 'p3pair') {
  // Both servers loaded at the same time, sharing the servers' core: the moment's
  // machine speed is the same for both, so the ratio of their rates is the ratio of
  // their costs per request.
  const [rounds = 5, seconds = 3] = numbers
  console.log(pinClient())
  const servers = await Promise.all(targets.map((target) => startServer(target.id, target.command())))
  try {
    await Promise.all(servers.map((child) => measureThroughput(`${child.url}${route}`, 2)))
    for (let round = 1; round <= rounds; round++) {
      const runs = await Promise.all(servers.map((child) => measureThroughput(`${child.url}${route}`, seconds)))
      const base = runs[0]!.rps
      console.log(`round ${round}: ${runs.map((r, i) => `${targets[i]!.id} ${r.rps.toFixed(0)}/s ${(r.rps / base).toFixed(3)}`).join('  ')}`)
    }
  } finally {
    for (const child of servers) await child.stop()
  }
} else if (figure === 'p4') {
  const [count = 50_000] = numbers
  for (const target of targets) {
    const run = await measureMemory(target, count)
    console.log(`${target.id}: ${run.bytesPerTask.toFixed(0)} B per pending task (${run.held} held, ${run.failures} failures)`)
  }
} else {
  console.error('usage: bench/probe.ts p3|p4 <server id>... [numbers]')
  process.exit(2)
}
