// Where a server's CPU goes under P3's load: starts one bench server with V8's sampling
// profiler (`--cpu-prof`), loads /p3 as P3 does, stops it (serve() exits on SIGTERM,
// which writes the profile) and prints self time by function and by where the code
// lives. A profile of finish-request's own servers, not of the bare ones (those die on
// SIGTERM without writing one); compare with `probe.ts p3pair` for what it costs.
//
//   node --import tsx bench/profile.ts node24-after [seconds=5]
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pinClient } from './lib/cpu.ts'
import { startServer } from './lib/processes.ts'
import { measureThroughput } from './measure/throughput.ts'
import { nodeTargetById } from './targets.ts'

const [id, secondsArg] = process.argv.slice(2)
const seconds = Number(secondsArg ?? 5)
const target = nodeTargetById(id, 'bench/profile.ts <a Node server id, e.g. node24-after> [seconds]')

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
}
interface Profile {
  nodes: Node[]
  startTime: number
  endTime: number
}

console.log(pinClient())
const dir = mkdtempSync(join(tmpdir(), 'finish-request-profile-'))
const child = await startServer(target.id, target.command(['--cpu-prof', '--cpu-prof-dir', dir]))
await measureThroughput(`${child.url}p3`, 2)
const { rps } = await measureThroughput(`${child.url}p3`, seconds)
await child.stop(10_000)
const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
if (!file) throw new Error(`no profile written in ${dir}: the server did not exit by itself on SIGTERM`)
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile

const where = (url: string, name: string): string => {
  if (name === '(garbage collector)') return 'GC'
  if (name === '(idle)' || name === '(program)') return name
  if (url.includes('@hono/node-server')) return '@hono/node-server'
  if (url.includes('/node_modules/hono/')) return 'hono'
  if (url.includes('/node_modules/')) return 'other packages (tsx, esbuild)'
  if (url.includes('/dist/')) return 'finish-request (dist/)'
  if (url.includes('/bench/')) return 'the bench app'
  if (url.startsWith('node:') || url === '') return 'Node internals and native'
  return 'other'
}
const total = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0)
const byPlace = new Map<string, number>()
const byFunction = new Map<string, number>()
for (const n of profile.nodes) {
  const hits = n.hitCount ?? 0
  const { functionName, url, lineNumber } = n.callFrame
  const place = where(url, functionName)
  byPlace.set(place, (byPlace.get(place) ?? 0) + hits)
  const key = `${functionName || '(anonymous)'}  ${url.includes('/node_modules/') ? url.replace(/^.*\/node_modules\//, '') : url.replace(/^.*\/(dist|bench)\//, '$1/')}:${lineNumber + 1}`
  byFunction.set(key, (byFunction.get(key) ?? 0) + hits)
}
const busy = total - (byPlace.get('(idle)') ?? 0)
const pct = (hits: number) => `${((100 * hits) / busy).toFixed(1).padStart(5)} %`
console.log(`${target.id}: ${rps.toFixed(0)} requests/s under load for ${seconds} s; ${total} samples, ${busy} busy. Self time, % of busy:`)
for (const [place, hits] of [...byPlace].filter(([p]) => p !== '(idle)').sort((a, b) => b[1] - a[1])) console.log(`  ${pct(hits)}  ${place}`)
console.log('Top functions:')
for (const [name, hits] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`  ${pct(hits)}  ${name}`)
console.log(`profile: ${join(dir, file)}`)
