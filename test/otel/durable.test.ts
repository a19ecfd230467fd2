// A durable job's spans in the trace of the request that enqueued it, across two
// processes through a real Redis: the web server here (with @hono/otel's request span),
// a BullMQ worker process printing its spans.
import { fileURLToPath } from 'node:url'
import { httpInstrumentationMiddleware } from '@hono/otel'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { respond } from 'finish-request'
import { queue } from 'finish-request/bullmq'
import { serve, type Server } from 'finish-request/node'
import { otel } from 'finish-request/otel'
import { spawnServer, type Served } from '../conformance/harness.ts'
import { startRedis, type TestRedis } from '../helpers/redis.ts'
import { ERROR, INTERNAL, requestSpan } from './checks.ts'
import { startSdk, type Sdk, type SpanJson } from './sdk.ts'

let redis: TestRedis
let sdk: Sdk
let server: Server
let worker: Served
const queueName = `otel-${process.pid}`
const jobs = () => queue({ connection: redis.url, name: queueName })
let web: ReturnType<typeof jobs>

beforeAll(async () => {
  redis = await startRedis()
  sdk = startSdk(new AsyncLocalStorageContextManager())
  web = jobs()
  // The web process only enqueues: its handler never runs.
  const flaky = web.define('flaky', () => {}, { attempts: 3, backoff: 10 })
  const app = new Hono()
  app.use(httpInstrumentationMiddleware({ serviceName: 'web' }))
  app.get('/export', (c) => {
    const id = c.req.query('id')!
    return respond(c.json({ id }), flaky({ id, fail: Number(c.req.query('fail')) }, { id }))
  })
  server = serve(app, { port: 0, hostname: '127.0.0.1', signals: false, telemetry: otel() })
  await server.ready()
  const entry = fileURLToPath(new URL('./entries/job-worker.ts', import.meta.url))
  worker = await spawnServer('worker', process.execPath, ['--import', 'tsx', entry], { REDIS_URL: redis.url, QUEUE: queueName })
}, 40_000)

afterAll(async () => {
  await worker?.stop()
  await server?.close()
  await web?.close()
  await redis?.stop()
})

const workerSpans = () => worker.events.filter((e) => e.type === 'span').map((e) => e.span as SpanJson)

describe('otel() through BullMQ', () => {
  it("puts every attempt's span in its request's trace, retries as siblings", async () => {
    const requests = Array.from({ length: 10 }, (_, i) => ({ id: `job${i}`, fail: i % 3 }))
    await Promise.all(requests.map(({ id, fail }) => fetch(new URL(`/export?id=${id}&fail=${fail}`, server.url)).then((r) => r.text())))
    const expected = requests.reduce((sum, r) => sum + r.fail + 1, 0)
    const deadline = Date.now() + 20_000
    while (workerSpans().filter((s) => s.name === 'task flaky').length < expected) {
      if (Date.now() > deadline) throw new Error(`only ${workerSpans().length} worker spans; stderr:\n${worker.stderr}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const spans = workerSpans()
    for (const { id, fail } of requests) {
      const request = requestSpan(sdk.spans(), '/export', `${id}&fail=${fail}`)
      const attempts = spans
        .filter((s) => s.name === 'task flaky' && s.attributes['test.id'] === id)
        .sort((a, b) => Number(a.attributes['finish_request.job.attempt']) - Number(b.attributes['finish_request.job.attempt']))
      expect(attempts.map((a) => a.attributes['finish_request.job.attempt'])).toEqual(Array.from({ length: fail + 1 }, (_, i) => i + 1))
      attempts.forEach((attempt, i) => {
        // In the request's trace, each attempt a child of the request span: siblings, not a chain.
        expect(attempt).toMatchObject({ kind: INTERNAL, traceId: request.traceId, parentSpanId: request.spanId })
        expect(attempt.attributes).toMatchObject({
          'finish_request.task.name': 'flaky',
          'finish_request.task.status': i < fail ? 'error' : 'ok',
          'finish_request.job.id': id,
          'finish_request.job.queue': queueName,
        })
        expect(attempt.status.code).toBe(i < fail ? ERROR : 0)
        const written = spans.filter((s) => s.name === 'write file' && s.parentSpanId === attempt.spanId)
        expect(written).toHaveLength(1)
      })
    }
  })
})
