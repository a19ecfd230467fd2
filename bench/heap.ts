// Where P4's bytes go: what a pending task keeps alive, by kind of object. Starts one
// Node bench server with --expose-gc, writes a heap snapshot before and after `count`
// requests that each leave a never-settling task (as P4 does), and prints the
// difference per task, grouped by V8's node type and constructor name. The "profile"
// of a memory figure, beside profile.ts's for CPU.
//
//   node --import tsx bench/heap.ts node20-after-noals [count=20000]
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { Connection } from './lib/http-client.ts'
import { startServer } from './lib/processes.ts'
import { nodeTargetById } from './targets.ts'

const [id, countArg] = process.argv.slice(2)
const count = Number(countArg ?? 20_000)
const target = nodeTargetById(id, 'bench/heap.ts <a Node server id, e.g. node20-after-noals> [count]')

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }
  nodes: number[]
  strings: string[]
}

/** Self bytes and object count per "type name" of one snapshot. */
function tally(file: string): Map<string, { bytes: number; objects: number }> {
  const { snapshot, nodes, strings } = JSON.parse(readFileSync(file, 'utf8')) as Snapshot
  const fields = snapshot.meta.node_fields
  const types = snapshot.meta.node_types[0]
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f))
  const out = new Map<string, { bytes: number; objects: number }>()
  for (let i = 0; i < nodes.length; i += fields.length) {
    const type = types[nodes[i + typeAt!]!]!
    // Strings and code are named by their content: group them by type alone.
    const name = type === 'object' || type === 'closure' || type === 'hidden' || type === 'object shape' ? strings[nodes[i + nameAt!]!]! : ''
    const key = `${type} ${name}`.trim()
    const entry = out.get(key) ?? { bytes: 0, objects: 0 }
    entry.bytes += nodes[i + sizeAt!]!
    entry.objects++
    out.set(key, entry)
  }
  return out
}

async function heap(url: string): Promise<{ held: number }> {
  const connection = await Connection.open(url)
  try {
    return await connection.json<{ held: number }>('/heap')
  } finally {
    connection.close()
  }
}

const dir = mkdtempSync(join(tmpdir(), 'finish-request-heap-'))
const child = await startServer(target.id, {
  ...target.command(['--expose-gc']),
  env: { BENCH_MAX_PENDING: String(count * 2), BENCH_HEAP_SNAPSHOTS: dir },
})
try {
  await autocannon({ url: `${child.url}p3`, connections: 50, amount: Math.min(count, 5000) })
  await new Promise((resolve) => setTimeout(resolve, 200))
  const before = await heap(child.url)
  await autocannon({ url: `${child.url}p4`, connections: 50, amount: count, timeout: 30 })
  let after = await heap(child.url)
  for (let i = 0; i < 50 && after.held - before.held < count; i++) after = await heap(child.url)
  await new Promise((resolve) => setTimeout(resolve, 300))
  await heap(child.url)
} finally {
  await child.stop()
}
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.heapsnapshot'))
  .sort((a, b) => parseInt(a) - parseInt(b))
const first = tally(join(dir, files[0]!))
const last = tally(join(dir, files.at(-1)!))
const rows = [...last]
  .map(([key, { bytes, objects }]) => ({ key, bytes: (bytes - (first.get(key)?.bytes ?? 0)) / count, objects: (objects - (first.get(key)?.objects ?? 0)) / count }))
  .filter((row) => Math.abs(row.bytes) >= 4)
  .sort((a, b) => b.bytes - a.bytes)
const total = rows.reduce((sum, row) => sum + row.bytes, 0)
console.log(`${id}: ${total.toFixed(0)} B per pending task in the snapshots (${count} tasks), by kind of object:`)
console.log('| bytes per task | objects per task | kind (V8 node type, constructor) |\n|---:|---:|---|')
for (const row of rows) console.log(`| ${row.bytes.toFixed(0)} | ${row.objects.toFixed(2)} | ${row.key} |`)
