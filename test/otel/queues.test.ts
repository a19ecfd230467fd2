// A Cloudflare Queues job's attempts in the trace of the request that enqueued it, in real
// workerd through Miniflare's local queues: the platform retries, the spans are siblings.
import { PassThrough } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { Miniflare } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Served } from '../conformance/harness.ts'
import { bundleWorker } from '../workerd-bundle.ts'
import { ERROR, requestSpan, until } from './checks.ts'
import type { SpanJson } from './sdk.ts'

let mf: Miniflare
let served: Served

beforeAll(async () => {
  const stdout = new PassThrough()
  mf = new Miniflare({
    modules: await bundleWorker(fileURLToPath(new URL('./entries/queue-worker.ts', import.meta.url))),
    compatibilityDate: '2025-09-01',
    compatibilityFlags: ['nodejs_als'],
    queueProducers: { EXPORTS: { queueName: 'exports' } },
    queueConsumers: { exports: { maxBatchSize: 10, maxBatchTimeout: 1, maxRetries: 5 } },
    handleRuntimeStdio(out: NodeJS.ReadableStream, err: NodeJS.ReadableStream) {
      out.pipe(stdout)
      err.resume()
    },
  })
  const url = await mf.ready
  served = new Served({ stdout, stderr: new PassThrough(), exited: new Promise(() => {}), kill: () => {} }, url.href)
}, 60_000)

afterAll(() => mf?.dispose())

describe('otel() through Cloudflare Queues', () => {
  it("puts every attempt's span in its request's trace, retries as siblings", async () => {
    const response = await mf.dispatchFetch(new URL('/export?id=q1&fail=2', served.url))
    expect(response.status).toBe(200)
    const spans = () => served.events.filter((e) => e.type === 'span').map((e) => e.span as SpanJson)
    const all = await until(spans, (s) => s.filter((x) => x.name === 'task flaky').length === 3, 30_000)
    const request = requestSpan(all, '/export', 'q1&fail=2')
    const attempts = all.filter((s) => s.name === 'task flaky')
    expect(attempts.map((a) => [a.attributes['finish_request.job.attempt'], a.attributes['finish_request.task.status'], a.status.code])).toEqual([
      [1, 'error', ERROR],
      [2, 'error', ERROR],
      [3, 'ok', 0],
    ])
    for (const attempt of attempts) {
      expect(attempt).toMatchObject({ traceId: request.traceId, parentSpanId: request.spanId })
      expect(attempt.attributes).toMatchObject({ 'test.id': 'q1', 'finish_request.job.id': 'q1', 'finish_request.job.queue': 'EXPORTS' })
    }
  })
})
