// `npm run start:durable`: the seed demo with a real queue. Starts Debian's redis-server
// on a free port in a temp dir, a separate worker process, and the web server (this
// process); fires three requests, waits until the worker has built the three zips, then
// shuts everything down. Needs `redis-server` (apt-get install -y redis-server).
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { serve } from 'finish-request/node'

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })

function started(child: ChildProcess, marker: string, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`${name} could not start: ${error.message}`)))
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)))
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes(marker)) resolve()
    })
  })
}

const dir = mkdtempSync(join(tmpdir(), 'finish-request-durable-demo-'))
const port = await freePort()
const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
  stdio: ['ignore', 'pipe', 'inherit'],
})
try {
  await started(redis, 'Ready to accept connections', 'redis-server (apt-get install -y redis-server)')
} catch (error) {
  console.error(String(error))
  process.exit(1)
}
const REDIS_URL = `redis://127.0.0.1:${port}`
process.env.REDIS_URL = REDIS_URL
console.log(`redis-server (pid ${redis.pid}) on ${REDIS_URL}, data in ${dir}`)

const worker = spawn(process.execPath, ['--import', 'tsx', new URL('./durable-worker.ts', import.meta.url).pathname], {
  env: { ...process.env, REDIS_URL },
  stdio: ['ignore', 'pipe', 'inherit'],
})
const built: string[] = []
const allBuilt = new Promise<void>((resolve) => {
  createInterface({ input: worker.stdout! }).on('line', (line) => {
    console.log(line)
    if (line.includes('zip built by the worker') && built.push(line) === 3) resolve()
  })
})
await started(worker, 'waiting for jobs', 'the worker')

// Imported once REDIS_URL is set: the queue reads it.
const { app, jobs } = await import('./durable-app.ts')
const server = serve(app, {
  port: 0,
  onError: (error, report) => console.error(`  task ${report.name} ${report.status}: ${error.message}`),
})
await server.ready()
console.log(`finish-request durable demo (web pid ${process.pid}) listening on ${server.url}\n`)

for (let i = 0; i < 3; i++) {
  const startedAt = performance.now()
  const response = await fetch(new URL('export', server.url), { method: 'POST' })
  const body = await response.text()
  console.log(`  POST /export answered in ${(performance.now() - startedAt).toFixed(1)} ms (zip job already in Redis): ${body}`)
}

await allBuilt
console.log(`\nall 3 zips were built by the worker process (pid ${worker.pid}), not by the web process (pid ${process.pid})`)
await server.close()
await jobs.close()
worker.kill('SIGTERM')
await new Promise((resolve) => worker.once('exit', resolve))
redis.kill('SIGTERM')
await new Promise((resolve) => redis.once('exit', resolve))
rmSync(dir, { recursive: true, force: true })
console.log('closed: the web server drained, the worker stopped on SIGTERM, redis-server stopped and its temp dir removed')
