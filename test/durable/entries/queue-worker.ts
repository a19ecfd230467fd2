// The Cloudflare Queues test worker: routes that register durable jobs, the jobs, and
// every report as a JSON line on stdout (read by the test through Miniflare).
import { AsyncLocalStorage } from 'node:async_hooks'
import { Hono } from 'hono'
import { after, respond } from 'finish-request'
import { queue, worker } from 'finish-request/cloudflare'

type Env = { EXPORTS: unknown }
const log = (type: string, fields: Record<string, unknown>) => console.log(JSON.stringify({ type, ...fields }))

const jobs = queue<Env>({ binding: 'EXPORTS' })
// Bound to nothing in the test's wrangler-like config: the engine is "down".
const missing = queue<Env>({ binding: 'NOT_BOUND' })

const buildZip = jobs.define('buildZip', async (payload: { id: string }, signal, task) => {
  task.progress(1, 1)
  log('ran', { id: payload.id, aborted: signal.aborted, hasBinding: task.env.EXPORTS !== undefined })
})

const failures = new Map<string, number>()
const flaky = jobs.define(
  'flaky',
  (payload: { id: string; fail: number }) => {
    const failed = failures.get(payload.id) ?? 0
    if (failed < payload.fail) {
      failures.set(payload.id, failed + 1)
      throw new Error(`flaky ${payload.id} failure ${failed + 1}`)
    }
    log('ran', { id: payload.id })
  },
  { attempts: 3, backoff: 0 },
)

const elsewhere = missing.define('elsewhere', (payload: { id: string }) => log('ran', { id: payload.id, here: true }))

const app = new Hono<{ Bindings: Env }>()
app.post('/export', (c) => {
  const id = c.req.query('id')!
  return respond(c.executionCtx, c.json({ id }), buildZip({ id }, { id }))
})
app.get('/flaky', (c) => {
  const id = c.req.query('id')!
  // The ctx-free form: the request is found through AsyncLocalStorage (nodejs_als).
  after(flaky({ id, fail: Number(c.req.query('fail')) }, { id }))
  return c.text('ok')
})
app.get('/missing', (c) => respond(c.executionCtx, c.text('ok'), elsewhere({ id: 'here' })))

// nodejs_als alone: node:async_hooks can be imported, but is not found without it.
export default worker(app, {
  asyncLocalStorage: AsyncLocalStorage,
  queues: [jobs, missing],
  onTaskEnd: (report) => log('report', { name: report.name, status: report.status, job: report.job, url: report.request.url }),
  onError: (error, report) => log('error', { name: report.name, error: error.name, message: error.message }),
})
