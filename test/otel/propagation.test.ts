// What otel() writes into a durable job and how a worker reads it back, with the real SDK
// (no propagator registered, as with a bare TracerProvider: the job still carries W3C).
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { context, createTraceState, trace, TraceFlags } from '@opentelemetry/api'
import { beforeAll, describe, expect, it } from 'vitest'
import { otel } from 'finish-request/otel'
import type { TaskReport } from 'finish-request'
import { startSdk, type Sdk } from './sdk.ts'

let sdk: Sdk
beforeAll(() => {
  sdk = startSdk(new AsyncLocalStorageContextManager())
})

const report = (name: string, extra: Partial<TaskReport> = {}): TaskReport => ({
  name,
  status: 'ok',
  durationMs: 1,
  delivery: 'returned',
  request: { method: 'GET', url: 'http://x.test/' },
  ...extra,
})

/** The task's telemetry, which there must be with the SDK registered. */
function started(telemetry: ReturnType<typeof otel>, registration: Parameters<ReturnType<typeof otel>['task']>[0]) {
  const task = telemetry.task(registration)
  if (task === undefined) throw new Error('no telemetry for a task although the SDK is registered')
  return task
}

/** Runs `fn` as if inside a request span with this span context. */
function inSpan<R>(fn: () => R, state?: string): { result: R; traceId: string; spanId: string } {
  const span = trace.getTracer('test').startSpan('request')
  const base = span.spanContext()
  const spanContext = state ? { ...base, traceState: createTraceState(state) } : base
  const result = context.with(trace.setSpanContext(context.active(), spanContext), fn)
  span.end()
  return { result, traceId: base.traceId, spanId: base.spanId }
}

describe('otel() across a durable job', () => {
  it('carries the registering span as W3C traceparent and tracestate', () => {
    const telemetry = otel()
    const { result, traceId, spanId } = inSpan(() => telemetry.carrier!(), 'vendor=abc,other=1')
    expect(result).toEqual({ traceparent: `00-${traceId}-${spanId}-01`, tracestate: 'vendor=abc,other=1' })
  })

  it('carries nothing outside any span', () => {
    expect(otel().carrier!()).toBeUndefined()
  })

  it("parents each attempt on the carried span: retries are siblings, with the job's attributes", () => {
    const telemetry = otel()
    const { result: carrier, traceId, spanId } = inSpan(() => telemetry.carrier!())
    for (const attempt of [1, 2]) {
      const job = { id: 'export:7', queue: 'exports', attempt, attempts: 2 }
      const task = started(telemetry, { name: 'buildZip', job, trace: carrier })
      task.run(() => undefined)
      task.end(report('buildZip', { job }))
    }
    const attempts = sdk.spans().filter((s) => s.name === 'task buildZip' && s.traceId === traceId)
    expect(attempts.map((s) => [s.parentSpanId, s.attributes['finish_request.job.attempt']])).toEqual([
      [spanId, 1],
      [spanId, 2],
    ])
    expect(attempts[0]!.attributes).toMatchObject({ 'finish_request.job.id': 'export:7', 'finish_request.job.queue': 'exports' })
  })

  it('with root: true, an attempt starts its own trace linked to the carried span', () => {
    const { result: carrier, traceId, spanId } = inSpan(() => otel().carrier!())
    const task = started(otel({ root: true }), { name: 'rootedJob', trace: carrier })
    task.run(() => undefined)
    task.end(report('rootedJob'))
    const [span] = sdk.spans().filter((s) => s.name === 'task rootedJob')
    expect(span!.traceId).not.toBe(traceId)
    expect(span!.parentSpanId).toBeUndefined()
    expect(span!.links).toEqual([{ traceId, spanId }])
  })

  it('ignores a malformed or invalid traceparent (a message made by hand)', () => {
    for (const traceparent of ['garbage', `00-${'0'.repeat(32)}-${'1'.repeat(16)}-01`, `ff-${'a'.repeat(32)}-${'1'.repeat(16)}-01`]) {
      const task = started(otel(), { name: 'handMade', trace: { traceparent } })
      task.run(() => undefined)
      task.end(report('handMade'))
    }
    const spans = sdk.spans().filter((s) => s.name === 'task handMade')
    expect(spans.map((s) => s.parentSpanId)).toEqual([undefined, undefined, undefined])
  })

  it('keeps the carried sampling decision: an unsampled request makes unsampled attempts', () => {
    const telemetry = otel()
    const carrier = { traceparent: `00-${'b'.repeat(32)}-${'c'.repeat(16)}-00` }
    const task = started(telemetry, { name: 'unsampled', trace: carrier })
    let sampled: number | undefined
    task.run(() => (sampled = trace.getActiveSpan()!.spanContext().traceFlags & TraceFlags.SAMPLED))
    task.end(report('unsampled'))
    // The SDK's default sampler is parent-based.
    expect(sampled).toBe(0)
    expect(sdk.spans().filter((s) => s.name === 'task unsampled')).toEqual([])
  })

  it('keeps the latest progress on the span and the first 32 steps as events', () => {
    const task = started(otel(), { name: 'chatty' })
    task.run(() => {
      for (let done = 1; done <= 100; done++) task.progress!(done, 100)
    })
    task.end(report('chatty'))
    const [span] = sdk.spans().filter((s) => s.name === 'task chatty')
    expect(span!.attributes).toMatchObject({ 'finish_request.task.progress.done': 100, 'finish_request.task.progress.total': 100 })
    expect(span!.events.filter((e) => e.name === 'progress')).toHaveLength(32)
  })

  it("sets finish_request.delivery from the report's delivery", () => {
    const task = started(otel(), { name: 'delivered' })
    task.run(() => undefined)
    task.end(report('delivered', { delivery: 'body-end' }))
    const [span] = sdk.spans().filter((s) => s.name === 'task delivered')
    expect(span!.attributes['finish_request.delivery']).toBe('body-end')
  })
})
