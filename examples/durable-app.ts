// The seed scenario with its zip as a durable job: POST /export answers at once, writes
// the statistics record in this process after the response, and hands the zip to a
// BullMQ queue, where a worker process (durable-worker.ts) builds it. Nothing is lost
// if the web process dies after answering: the job is in Redis before the answer leaves.
import process from 'node:process'
import { Hono } from 'hono'
import { respond } from 'finish-request'
import { queue } from 'finish-request/bullmq'
import { buildZip, writeStats } from './export-app.ts'

export const jobs = queue({ connection: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', name: 'exports' })

export const zipExport = jobs.define(
  'zipExport',
  async (payload: { id: string; requestedAt: number }, signal, task) => {
    const path = await buildZip(payload.id, signal, task)
    const ms = Date.now() - payload.requestedAt
    console.log(`  #${payload.id} zip built by the worker (pid ${process.pid}) ${ms} ms after the request: ${path}`)
  },
  { attempts: 3, backoff: 1_000, timeout: 60_000 },
)

let counter = 0

export const app = new Hono()

app.post('/export', (c) => {
  const id = String(++counter)
  return respond(c.json({ code: 0, msg: 'ok', data: true }), [
    async function stats(signal) {
      await writeStats(id, signal)
    },
    // Idempotent by id: a retried request cannot enqueue this export twice.
    zipExport({ id, requestedAt: Date.now() }, { id: `export:${id}:${process.pid}` }),
  ])
})
