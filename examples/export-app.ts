// The seed scenario as a Hono app: POST /export answers the browser at once, then
// writes a statistics record and builds a zip on disk. Runs unchanged on Node, Bun
// and Deno (see node.ts, bun.ts, deno.ts beside this file).
import { appendFile, mkdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { zip } from 'fflate'
import { Hono } from 'hono'
import { respond } from 'finish-request'

export const outDir = join(tmpdir(), 'finish-request-demo')

const zipAsync = (files: Record<string, Uint8Array>) =>
  new Promise<Uint8Array>((resolve, reject) =>
    zip(files, { level: 9 }, (error, data) => (error ? reject(error) : resolve(data))),
  )

export async function writeStats(id: string, signal: AbortSignal): Promise<void> {
  // Stands in for a slow database write.
  await new Promise((resolve) => setTimeout(resolve, 300))
  signal.throwIfAborted()
  await mkdir(outDir, { recursive: true })
  await appendFile(join(outDir, 'stats.jsonl'), JSON.stringify({ id, at: new Date().toISOString() }) + '\n')
}

export async function buildZip(id: string): Promise<string> {
  const rows = Array.from({ length: 40_000 }, (_, i) => `${i},user-${i % 977},${(i * 7919) % 10_000}`).join('\n')
  const encode = (text: string) => new TextEncoder().encode(text)
  const archive = await zipAsync({
    'orders.csv': encode(rows),
    'customers.csv': encode(rows.replaceAll('user', 'customer')),
    'README.txt': encode(`Export ${id}, made after the response was sent.\n`),
  })
  const path = join(outDir, `export-${id}.zip`)
  await writeFile(path, archive)
  return `${path} (${(archive.length / 1024).toFixed(0)} KiB)`
}

let counter = 0

export const app = new Hono()

app.post('/export', (c) => {
  const id = String(++counter)
  const receivedAt = performance.now()
  return respond(c.executionCtx, c.json({ code: 0, msg: 'ok', data: true }), async function exportJob(signal) {
    await writeStats(id, signal)
    const zipPath = await buildZip(id)
    const ms = (performance.now() - receivedAt).toFixed(0)
    console.log(`  #${id} background work done ${ms} ms after the request: stats written, ${zipPath}`)
  })
})
