// The durable-job fault workload (R7–R10), public API only: one queue, one job that
// sleeps `ms` (honouring its signal) and records that it ran, and a route that
// registers it, on the store STORE_URL names (Redis or PostgreSQL). The web entry serves the route; the worker entry runs the jobs. What
// happened goes to stdout as JSON lines (probe.ts's ledger), tagged with ROLE.
import process from 'node:process'
import { Hono } from 'hono'
import { respond } from 'finish-request'
import { queue } from 'finish-request/bullmq'
import { ledger } from '../probe.ts'

const role = process.env.ROLE ?? 'unknown'

export const jobs = queue({ connection: process.env.STORE_URL!, name: process.env.QUEUE!, enqueueTimeout: 1_000 })

export const work = jobs.define(
  'work',
  async (payload: { id: string; ms: number }, signal) => {
    ledger('started', { id: payload.id, by: role })
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, payload.ms)
      signal.addEventListener('abort', () => {
        clearTimeout(timer)
        reject(signal.reason)
      })
    })
    ledger('done', { id: payload.id, by: role })
  },
  { attempts: 3, backoff: 100 },
)

export const app = new Hono()

app.get('/job', (c) => {
  const id = c.req.query('id')!
  return respond(c.executionCtx, c.json({ id }), work({ id, ms: Number(c.req.query('ms')) }, { id }))
})
