// finish-request/cloudflare's queue({ binding }) in real workerd, through Miniflare's
// local queues: a route's durable job is consumed by the worker's queue() handler, a
// failing job is retried by the platform, and each attempt is reported once.
import { PassThrough } from 'node:stream'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { Miniflare } from 'miniflare'
import { bundleWorker } from '../workerd-bundle.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

type Line = { type: string; [key: string]: any }
const lines: Line[] = []
let mf: Miniflare
let url: URL

beforeAll(async () => {
  const stdout = new PassThrough()
  createInterface({ input: stdout }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line))
    } catch {}
  })
  mf = new Miniflare({
    modules: await bundleWorker(fileURLToPath(new URL('./entries/queue-worker.ts', import.meta.url))),
    compatibilityDate: '2025-09-01',
    // For the ctx-free after(task), with the class handed to worker().
    compatibilityFlags: ['nodejs_als'],
    queueProducers: { EXPORTS: { queueName: 'exports' } },
    queueConsumers: { exports: { maxBatchSize: 10, maxBatchTimeout: 1, maxRetries: 5 } },
    handleRuntimeStdio(out: NodeJS.ReadableStream, err: NodeJS.ReadableStream) {
      out.pipe(stdout)
      err.resume()
    },
  })
  url = await mf.ready
}, 60_000)

afterAll(() => mf?.dispose())

async function waitFor(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(lines)}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const reportsOf = (id: string) => lines.filter((l) => l.type === 'report' && l.job?.id === id)

describe('Cloudflare Queues in workerd', () => {
  it("a route's durable job is sent, consumed by the worker's queue() handler, with env, and reported once", async () => {
    const response = await mf.dispatchFetch(new URL('/export?id=export:42', url), { method: 'POST' })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ id: 'export:42' })
    await waitFor(() => reportsOf('export:42').length > 0, 'the job report')
    expect(lines.filter((l) => l.type === 'ran' && l.id === 'export:42')).toEqual([
      { type: 'ran', id: 'export:42', aborted: false, hasBinding: true },
    ])
    expect(reportsOf('export:42')).toEqual([
      {
        type: 'report',
        name: 'buildZip',
        status: 'ok',
        job: { id: 'export:42', queue: 'EXPORTS', attempt: 1, attempts: 3 },
        url: expect.stringContaining('/export?id=export:42'),
      },
    ])
  })

  it("a failing job (registered with the ctx-free after(task)) is retried with the platform's retry, one report per attempt", async () => {
    const response = await mf.dispatchFetch(new URL('/flaky?id=flaky:1&fail=2', url))
    expect(response.status).toBe(200)
    await waitFor(() => reportsOf('flaky:1').some((r) => r.status === 'ok'), 'the third attempt to succeed', 30_000)
    expect(reportsOf('flaky:1').map((r) => [r.status, r.job.attempt, r.job.attempts])).toEqual([
      ['error', 1, 3],
      ['error', 2, 3],
      ['ok', 3, 3],
    ])
    expect(lines.filter((l) => l.type === 'error' && l.name === 'flaky').map((l) => l.message)).toEqual([
      'flaky flaky:1 failure 1',
      'flaky flaky:1 failure 2',
    ])
    expect(lines.filter((l) => l.type === 'ran' && l.id === 'flaky:1')).toHaveLength(1)
  })

  it('a queue whose binding is missing: the job runs in the worker after the response, its enqueue failure reported once', async () => {
    const response = await mf.dispatchFetch(new URL('/missing', url))
    expect(response.status).toBe(200)
    await waitFor(() => lines.some((l) => l.type === 'ran' && l.here), 'the job to run in the fetch worker')
    const errors = lines.filter((l) => l.type === 'error' && l.name === 'elsewhere')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ error: 'EnqueueError', message: expect.stringContaining('env.NOT_BOUND is not a Queue producer binding') })
    // onTaskEnd sees the enqueue failure (attempt 0) too, then the run in the fetch worker.
    expect(lines.filter((l) => l.type === 'report' && l.name === 'elsewhere')).toMatchObject([
      { status: 'error', job: { queue: 'NOT_BOUND', attempt: 0 } },
      { status: 'ok' },
    ])
  })
})
