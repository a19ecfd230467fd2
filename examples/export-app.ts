// The seed scenario as a Hono app: POST /export answers the browser at once, then writes
// a statistics record and builds a zip on disk (reporting progress per file). POST
// /receipt answers at once too, and its task fails, to show the error path. GET / is the
// demo page. Runs unchanged on Node, Bun and Deno (see node.ts, bun.ts, deno.ts), each
// of which mounts the inspector at /_tasks.
import { appendFile, mkdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Zip, ZipDeflate } from 'fflate'
import { Hono } from 'hono'
import { respond, type TaskControl } from 'finish-request'
import { demoPage } from './demo-page.ts'

export const outDir = join(tmpdir(), 'finish-request-demo')

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const since = (start: number) => `${(performance.now() - start).toFixed(0)} ms`

export async function writeStats(id: string, signal: AbortSignal): Promise<void> {
  // Stands in for a slow database write.
  await sleep(300)
  signal.throwIfAborted()
  await mkdir(outDir, { recursive: true })
  await appendFile(join(outDir, 'stats.jsonl'), JSON.stringify({ id, at: new Date().toISOString() }) + '\n')
}

const FILES = ['orders', 'customers', 'invoices', 'refunds', 'shipments', 'products']

export async function buildZip(id: string, signal: AbortSignal, task: TaskControl): Promise<string> {
  const chunks: Uint8Array[] = []
  const zip = new Zip((error, chunk) => {
    if (error) throw error
    chunks.push(chunk)
  })
  for (const [i, file] of FILES.entries()) {
    // Stands in for reading the rows from a database.
    await sleep(150)
    signal.throwIfAborted()
    const rows = Array.from({ length: 20_000 }, (_, n) => `${n},${file}-${n % 977},${(n * 7919) % 10_000}`).join('\n')
    const entry = new ZipDeflate(`${file}.csv`, { level: 6 })
    zip.add(entry)
    entry.push(new TextEncoder().encode(rows), true)
    task.progress(i + 1, FILES.length)
  }
  zip.end()
  const archive = new Uint8Array(chunks.reduce((size, chunk) => size + chunk.length, 0))
  let offset = 0
  for (const chunk of chunks) archive.set(chunk, (offset += chunk.length) - chunk.length)
  await mkdir(outDir, { recursive: true })
  const path = join(outDir, `export-${id}.zip`)
  await writeFile(path, archive)
  return `${path} (${(archive.length / 1024).toFixed(0)} KiB)`
}

let counter = 0

export const app = new Hono()

app.get('/', (c) => c.html(demoPage))

app.post('/export', (c) => {
  const id = String(++counter)
  const receivedAt = performance.now()
  return respond(c.executionCtx, c.json({ code: 0, msg: 'ok', data: true }), [
    async function writeStatistics(signal) {
      await writeStats(id, signal)
      console.log(`  #${id} statistics written ${since(receivedAt)} after the request`)
    },
    async function zipExport(signal, task) {
      const path = await buildZip(id, signal, task)
      console.log(`  #${id} zip done ${since(receivedAt)} after the request: ${path}`)
    },
  ])
})

app.post('/receipt', (c) =>
  respond(c.executionCtx, c.json({ code: 0, msg: 'ok', data: true }), async function sendReceipt() {
    await sleep(400)
    throw new Error('SMTP relay refused <billing@example.com>: 550 mailbox unavailable')
  }),
)
