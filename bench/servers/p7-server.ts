// P7's response time, on Node or Bun: one finish-request server, two routes over the
// same store (Redis or PostgreSQL, as STORE_URL says). /durable registers one durable task (enqueued and acknowledged before the
// response leaves, finish-request/bullmq); /by-hand does what a user would write
// without the library: `await queue.add()` with a bare BullMQ Queue, then answer, with
// the job options finish-request sets by default (3 attempts, exponential backoff from
// 1 s, finished jobs removed after a day or a week), so the store does the same work.
import { createPostgresBackend, Queue, withBackend } from 'bullmq'
import { respond } from 'finish-request'
import { queue } from 'finish-request/bullmq'
import { Hono } from 'hono'
import { BODY } from '../work.ts'
import { announce, HOST } from './announce.ts'

const runtime = globalThis as { Bun?: unknown; process: { env: Record<string, string | undefined> } }
const connection = runtime.process.env.STORE_URL!
const { serve } = runtime.Bun ? await import('finish-request/bun') : await import('finish-request/node')

const jobs = queue({ connection, name: 'p7-durable' })
const report = jobs.define('report', async () => {})
const { hostname, port } = new URL(connection)
const byHand = connection.startsWith('postgres')
  ? new (withBackend(createPostgresBackend).Queue)('p7-by-hand', { connection })
  : new Queue('p7-by-hand', { connection: { host: hostname, port: Number(port) } })

const SAME_JOB = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600 },
  removeOnFail: { age: 7 * 24 * 3600 },
}

let n = 0
const app = new Hono()
app.get('/durable', (c) => respond(c.executionCtx, c.json(BODY), report({ n: n++ })))
app.get('/by-hand', async (c) => {
  await byHand.add('report', { n: n++ }, SAME_JOB)
  return c.json(BODY)
})

const server = serve(app, { port: 0, hostname: HOST })
await server.ready()
announce(server.url!)
