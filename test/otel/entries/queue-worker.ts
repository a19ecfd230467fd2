// A traced worker whose route enqueues a durable job on a Cloudflare Queue, consumed by the
// same worker's queue() handler: every span printed as a JSON line, for test/otel/queues.test.ts.
import { AsyncLocalStorage } from 'node:async_hooks'
import { trace } from '@opentelemetry/api'
import { httpInstrumentationMiddleware } from '@hono/otel'
import { Hono } from 'hono'
import { respond } from 'finish-request'
import { queue, worker } from 'finish-request/cloudflare'
import { otel } from 'finish-request/otel'
import { startSdk } from '../sdk.ts'
import { AsyncLocalStorageContext } from '../workerd-context.ts'

type Env = { EXPORTS: unknown }
const jobs = queue<Env>({ binding: 'EXPORTS' })
const failures = new Map<string, number>()
const flaky = jobs.define(
  'flaky',
  (payload: { id: string; fail: number }) => {
    trace.getActiveSpan()?.setAttribute('test.id', payload.id)
    const failed = failures.get(payload.id) ?? 0
    if (failed < payload.fail) {
      failures.set(payload.id, failed + 1)
      throw new Error(`attempt ${failed + 1} of ${payload.id} failed`)
    }
  },
  { attempts: 3, backoff: 0 },
)

// workerd allows no timers or random values at module scope: set up on first use.
let handler: ReturnType<typeof worker<Env>> | undefined
function traced(): ReturnType<typeof worker<Env>> {
  if (handler) return handler
  startSdk(new AsyncLocalStorageContext(), { print: true })
  const app = new Hono<{ Bindings: Env }>()
  app.use(httpInstrumentationMiddleware({ serviceName: 'web' }))
  app.get('/export', (c) => {
    const id = c.req.query('id')!
    return respond(c.json({ id }), flaky({ id, fail: Number(c.req.query('fail')) }, { id }))
  })
  return (handler = worker(app, { queues: [jobs], telemetry: otel(), onError: () => {}, asyncLocalStorage: AsyncLocalStorage }))
}

export default {
  fetch: (request: Request, env: Env, ctx: never) => traced().fetch(request, env, ctx),
  queue: (batch: never, env: Env) => (traced().queue as (batch: never, env: Env) => Promise<void>)(batch, env),
}
