// finish-request/otel on Node with the real SDK (in-memory exporters, the
// AsyncLocalStorage context manager) and @hono/otel's request spans, through a real server.
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { context, trace } from '@opentelemetry/api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { after, type TaskReport } from 'finish-request'
import { serve, type Server } from 'finish-request/node'
import { otel } from 'finish-request/otel'
import { createExecutionContext, waitOnExecutionContext } from 'finish-request/testing'
import { otelApp } from './app.ts'
import { expectFailedTask, expectSeedTrace, requestSpan, taskSpans, until } from './checks.ts'
import { startSdk, type Sdk } from './sdk.ts'

let sdk: Sdk
let server: Server
const reports: TaskReport[] = []

beforeAll(async () => {
  sdk = startSdk(new AsyncLocalStorageContextManager())
  server = serve(otelApp(), { port: 0, hostname: '127.0.0.1', signals: false, telemetry: otel(), onTaskEnd: (r) => void reports.push(r), onError: () => {} })
  await server.ready()
})
afterAll(() => server.close())

const get = (path: string) => fetch(new URL(path, server.url)).then((r) => r.text())

describe('otel() on Node', () => {
  it('puts each task under its own request span, 50 concurrent requests', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `seed${i}`)
    await Promise.all(ids.map((id) => get(`/seed?id=${id}`)))
    const spans = await until(sdk.spans, (s) => s.filter((x) => x.name === 'zip part').length === 150 && s.filter((x) => x.name.startsWith('task ')).length === 100)
    for (const id of ids) expectSeedTrace(spans, id, 'confirmed')
    // 50 requests, 50 traces.
    expect(new Set(spans.filter((s) => s.name.startsWith('task ')).map((s) => s.traceId)).size).toBe(50)
  })

  it('records a failed and a timed-out task as ERROR with the exception', async () => {
    await Promise.all([get('/fail?id=f1'), get('/slow?id=s1')])
    const spans = await until(sdk.spans, (s) => taskSpans(s, 'f1').length === 1 && taskSpans(s, 's1').length === 1)
    const failed = expectFailedTask(spans, '/fail', 'f1', 'failing', 'error', /^boom f1$/)
    expect(failed.events[0]!.attributes['exception.type']).toBe('Error')
    const slow = expectFailedTask(spans, '/slow', 's1', 'slow', 'timeout', /timed out after 30 ms/)
    expect(slow.events[0]!.attributes['exception.type']).toBe('TimeoutError')
    // The span ends at the deadline, not when the task gives up.
    expect(slow.endMs - slow.startMs).toBeGreaterThanOrEqual(29)
  })

  it('says in finish_request.delivery how the delivery was known, as the report does', async () => {
    const before = reports.length
    await get('/seed?id=delivery')
    const spans = await until(sdk.spans, (s) => taskSpans(s, 'delivery').length === 2)
    const [buildZip] = taskSpans(spans, 'delivery')
    const report = reports.slice(before).find((r) => r.name === 'buildZip')!
    // Node tells when the bytes were written.
    expect(report.delivery).toBe('confirmed')
    expect(buildZip!.attributes['finish_request.delivery']).toBe('confirmed')
  })

  it('counts tasks in the metrics: pending back to 0, durations by status, waits', async () => {
    const points = await sdk.metrics()
    const of = (metric: string, attributes: Record<string, string>) =>
      points[metric]?.find((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v))?.value as any
    // 50 from the concurrent test and one from the delivery test.
    expect(of('finish_request.task.duration', { 'finish_request.task.name': 'buildZip', 'finish_request.task.status': 'ok' }).count).toBe(51)
    expect(of('finish_request.task.duration', { 'finish_request.task.name': 'failing', 'finish_request.task.status': 'error' }).count).toBe(1)
    const timedOut = of('finish_request.task.duration', { 'finish_request.task.name': 'slow', 'finish_request.task.status': 'timeout' })
    expect(timedOut.count).toBe(1)
    expect(timedOut.sum).toBeGreaterThanOrEqual(0.029)
    // Buckets in seconds, not the SDK's default milliseconds.
    expect(timedOut.buckets.boundaries.slice(0, 3)).toEqual([0.005, 0.01, 0.025])
    expect(of('finish_request.task.wait', { 'finish_request.task.name': 'writeStats' }).count).toBe(51)
    for (const name of ['buildZip', 'writeStats', 'failing', 'slow']) {
      expect(of('finish_request.tasks.pending', { 'finish_request.task.name': name }), name).toBe(0)
    }
  })

  it('counts a task as pending from its registration to its report', async () => {
    let release!: () => void
    const ctx = createExecutionContext({ telemetry: otel() })
    after(ctx, function held() {
      return new Promise<void>((resolve) => (release = resolve))
    })
    const pending = async () => (await sdk.metrics())['finish_request.tasks.pending']!.find((p) => p.attributes['finish_request.task.name'] === 'held')?.value
    expect(await pending()).toBe(1)
    await new Promise((resolve) => setTimeout(resolve, 10))
    release()
    await waitOnExecutionContext(ctx)
    expect(await pending()).toBe(0)
  })

  it('records a task abandoned at close as ERROR, abandoned', async () => {
    const closing = serve(otelApp(), { port: 0, hostname: '127.0.0.1', signals: false, gracePeriod: 50, telemetry: otel(), onError: () => {} })
    await closing.ready()
    await fetch(new URL('/hang?id=h1', closing.url)).then((r) => r.text())
    await until(sdk.spans, (s) => s.some((x) => x.attributes['url.full'] === `${closing.url}hang?id=h1`))
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(await closing.close()).toEqual({ completed: 0, abandoned: 1 })
    const task = expectFailedTask(sdk.spans(), '/hang', 'h1', 'hanging', 'abandoned', /closed|gracePeriod|abandon/i)
    expect(task.events[0]!.attributes['exception.type']).toBe('AbortError')
  })

  it('with root: true, starts a new trace linked to the registering span', async () => {
    const ctx = createExecutionContext({ telemetry: otel({ root: true }) })
    const tracer = trace.getTracer('test')
    const parent = tracer.startSpan('registering')
    context.with(trace.setSpan(context.active(), parent), () => {
      after(ctx, function rooted() {
        trace.getActiveSpan()?.setAttribute('test.id', 'root1')
      })
    })
    parent.end()
    await waitOnExecutionContext(ctx)
    const [task] = taskSpans(sdk.spans(), 'root1')
    expect(task!.parentSpanId).toBeUndefined()
    expect(task!.traceId).not.toBe(parent.spanContext().traceId)
    expect(task!.links).toEqual([{ traceId: parent.spanContext().traceId, spanId: parent.spanContext().spanId }])
  })

  it('without telemetry, tasks make no span of their own', async () => {
    const plain = serve(otelApp(), { port: 0, hostname: '127.0.0.1', signals: false })
    await plain.ready()
    await fetch(new URL('/seed?id=plain', plain.url)).then((r) => r.text())
    await plain.close()
    const spans = sdk.spans()
    // The request is traced by @hono/otel, the task's own spans still nest under it (the
    // context flows), but there is no `task …` span in between.
    const request = requestSpan(spans, '/seed', 'plain')
    expect(taskSpans(spans, 'plain')).toEqual([])
    const parts = spans.filter((s) => s.name === 'zip part' && s.attributes['test.id'] === 'plain')
    expect(parts.map((p) => p.parentSpanId)).toEqual([request.spanId, request.spanId, request.spanId])
  })
})

describe('otel(options)', () => {
  it('throws a TypeError naming the option', () => {
    expect(() => otel({ root: 'yes' as never })).toThrow(/^otel\(options\): options.root must be a boolean, got string$/)
    expect(() => otel(null as never)).toThrow(TypeError)
    expect(() => otel({ roots: true } as never)).toThrow(/^otel\(options\): options.roots is not an option; did you mean options.root\?$/)
    expect(() => serve(() => new Response(), { telemetry: {} as never, signals: false })).toThrow(/options.telemetry must be an object with a task\(registration\) method/)
  })
})
