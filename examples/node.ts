// The seed scenario: the browser's ajax call gets its JSON at once; the server then
// writes a statistics record and builds a zip on disk. `npm start` runs it and fires
// three requests at itself so you can watch the timeline; `--once` exits afterwards.
import { appendFile, mkdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { zip } from 'fflate'
import { Hono } from 'hono'
import { respond } from 'after-response'
import { serve } from 'after-response/node'

const outDir = join(tmpdir(), 'after-response-demo')
const zipAsync = (files: Record<string, Uint8Array>) =>
  new Promise<Uint8Array>((resolve, reject) =>
    zip(files, { level: 9 }, (error, data) => (error ? reject(error) : resolve(data))),
  )
const started = new Map<string, number>()
const ms = (since: number) => `${(performance.now() - since).toFixed(1)} ms`

async function writeStats(id: string, signal: AbortSignal) {
  // Stands in for a slow database write.
  await new Promise((resolve) => setTimeout(resolve, 300))
  signal.throwIfAborted()
  await appendFile(join(outDir, 'stats.jsonl'), JSON.stringify({ id, at: new Date().toISOString() }) + '\n')
}

async function buildZip(id: string) {
  const rows = Array.from({ length: 40_000 }, (_, i) => `${i},user-${i % 977},${(i * 7919) % 10_000}`).join('\n')
  const files = {
    'orders.csv': new TextEncoder().encode(rows),
    'customers.csv': new TextEncoder().encode(rows.replaceAll('user', 'customer')),
    'README.txt': new TextEncoder().encode(`Export ${id}, made after the response was sent.\n`),
  }
  const archive = await zipAsync(files)
  const path = join(outDir, `export-${id}.zip`)
  await writeFile(path, archive)
  return `${path} (${(archive.length / 1024).toFixed(0)} KiB)`
}

const app = new Hono()
let counter = 0

app.post('/export', (c) => {
  const id = String(++counter)
  started.set(id, performance.now())
  return respond(c.executionCtx, c.json({ code: 0, msg: 'ok', data: true }), async function exportJob(signal) {
    await writeStats(id, signal)
    const zipPath = await buildZip(id)
    console.log(`  #${id} background work done ${ms(started.get(id)!)} after the request: stats written, ${zipPath}`)
    started.delete(id)
  })
})

await mkdir(outDir, { recursive: true })
const server = serve(app, {
  port: Number(process.env.PORT ?? 3000),
  onError: (error, report) => console.error(`  #? ${report.name} ${report.status}: ${error.message}`),
})
await server.ready()
console.log(`after-response demo listening on ${server.url}\n`)

for (let i = 0; i < 3; i++) {
  const t0 = performance.now()
  const response = await fetch(new URL('export', server.url), { method: 'POST' })
  const body = await response.text()
  console.log(`  POST /export answered in ${ms(t0)}: ${body}`)
}

if (process.argv.includes('--once')) {
  const { completed, abandoned } = await server.close()
  console.log(`\nclosed: ${completed} tasks drained, ${abandoned} abandoned`)
} else {
  setTimeout(() => {
    console.log(`\nTry it yourself:  curl -X POST ${server.url}export`)
    console.log('Ctrl-C closes gracefully: pending exports finish before the process exits.')
  }, 1500)
}
