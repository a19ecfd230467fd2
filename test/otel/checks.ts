// What a user looks for in the trace view, the same whichever runtime made the spans.
import { expect } from 'vitest'
import type { SpanJson } from './sdk.ts'

// @opentelemetry/api's SpanKind and SpanStatusCode.
export const INTERNAL = 0
export const SERVER = 1
export const ERROR = 2

/** The request span @hono/otel made for `path?id=…`. */
export function requestSpan(spans: SpanJson[], path: string, id: string): SpanJson {
  const found = spans.filter((s) => s.kind === SERVER && String(s.attributes['url.full']).endsWith(`${path}?id=${id}`))
  expect(found, `one request span for ${path}?id=${id}`).toHaveLength(1)
  return found[0]!
}

/** The task spans in which the task marked its request's id (so: active while it ran). */
export function taskSpans(spans: SpanJson[], id: string): SpanJson[] {
  return spans.filter((s) => s.name.startsWith('task ') && s.attributes['test.id'] === id).sort((a, b) => a.name.localeCompare(b.name))
}

/** request span → `task buildZip` (→ 3 `zip part`) and `task writeStats`, nothing shared with another request. */
export function expectSeedTrace(spans: SpanJson[], id: string, delivery: string): void {
  const request = requestSpan(spans, '/seed', id)
  const tasks = taskSpans(spans, id)
  expect(tasks.map((s) => s.name)).toEqual(['task buildZip', 'task writeStats'])
  for (const task of tasks) {
    expect(task).toMatchObject({ kind: INTERNAL, traceId: request.traceId, parentSpanId: request.spanId, status: { code: 0 } })
    expect(task.attributes).toMatchObject({
      'finish_request.task.name': task.name.slice('task '.length),
      'finish_request.task.status': 'ok',
      'finish_request.delivery': delivery,
    })
    expect(task.attributes['finish_request.task.wait_ms']).toBeGreaterThanOrEqual(0)
    // Started when the task started, which is after the handler returned (and so after
    // @hono/otel ended the request span); a millisecond for the clocks' rounding.
    expect(task.startMs).toBeGreaterThanOrEqual(request.endMs - 1)
  }
  const zip = tasks[0]!
  // Its progress: the latest on the span, each step as an event.
  expect(zip.attributes).toMatchObject({ 'finish_request.task.progress.done': 3, 'finish_request.task.progress.total': 3 })
  expect(zip.events.filter((e) => e.name === 'progress').map((e) => e.attributes['finish_request.task.progress.done'])).toEqual([1, 2, 3])
  const parts = spans.filter((s) => s.name === 'zip part' && s.attributes['test.id'] === id)
  expect(parts).toHaveLength(3)
  for (const part of parts) expect(part).toMatchObject({ traceId: request.traceId, parentSpanId: zip.spanId })
}

/** A failed, timed-out or abandoned task: ERROR, its status, and the exception recorded. */
export function expectFailedTask(spans: SpanJson[], path: string, id: string, name: string, status: string, message: RegExp): SpanJson {
  const request = requestSpan(spans, path, id)
  const tasks = taskSpans(spans, id)
  expect(tasks.map((s) => s.name)).toEqual([`task ${name}`])
  const task = tasks[0]!
  expect(task).toMatchObject({ traceId: request.traceId, parentSpanId: request.spanId, status: { code: ERROR } })
  expect(task.status.message).toMatch(new RegExp(`^${status}: `))
  expect(task.attributes['finish_request.task.status']).toBe(status)
  const exceptions = task.events.filter((e) => e.name === 'exception')
  expect(exceptions).toHaveLength(1)
  expect(String(exceptions[0]!.attributes['exception.message'])).toMatch(message)
  return task
}

/** Polls `spans()` until `done(spans)` holds, or fails after `ms` saying what it saw. */
export async function until(spans: () => SpanJson[], done: (spans: SpanJson[]) => boolean, ms = 15_000): Promise<SpanJson[]> {
  const deadline = Date.now() + ms
  for (;;) {
    const now = spans()
    if (done(now)) return now
    if (Date.now() > deadline) throw new Error(`spans not complete after ${ms} ms; got ${now.length}: ${now.map((s) => s.name).join(', ')}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
