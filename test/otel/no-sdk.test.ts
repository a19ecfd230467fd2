// otel() where no OpenTelemetry SDK is registered (yet): nothing is kept per task, and an
// SDK registered after the app was made is picked up from the next task on.
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { expect, it } from 'vitest'
import { after } from 'finish-request'
import { otel } from 'finish-request/otel'
import { createExecutionContext, waitOnExecutionContext } from 'finish-request/testing'
import { startSdk } from './sdk.ts'

it('keeps nothing for a task without an SDK, and traces the tasks registered once one is', async () => {
  const telemetry = otel()
  expect(telemetry.task({ name: 'early' })).toBeUndefined()
  expect(telemetry.carrier!()).toBeUndefined()
  const before = createExecutionContext({ telemetry })
  after(before, function early() {})
  expect(await waitOnExecutionContext(before)).toMatchObject([{ name: 'early', status: 'ok' }])

  const sdk = startSdk(new AsyncLocalStorageContextManager())
  const ctx = createExecutionContext({ telemetry })
  after(ctx, function late() {})
  await waitOnExecutionContext(ctx)
  expect(sdk.spans().map((s) => s.name)).toEqual(['task late'])
  const duration = (await sdk.metrics())['finish_request.task.duration']!
  expect(duration.map((p) => [p.attributes['finish_request.task.name'], (p.value as { count: number }).count])).toEqual([['late', 1]])
})
