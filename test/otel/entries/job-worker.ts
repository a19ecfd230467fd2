// A BullMQ worker process with the OpenTelemetry SDK: runs `flaky` jobs and prints every
// span it ends as a JSON line, for test/otel/durable.test.ts.
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { trace } from '@opentelemetry/api'
import { queue } from 'finish-request/bullmq'
import { otel } from 'finish-request/otel'
import { startSdk } from '../sdk.ts'

startSdk(new AsyncLocalStorageContextManager(), { print: true })
const jobs = queue({ connection: process.env.REDIS_URL!, name: process.env.QUEUE! })

const failures = new Map<string, number>()
jobs.define(
  'flaky',
  async (payload: { id: string; fail: number }) => {
    trace.getActiveSpan()?.setAttribute('test.id', payload.id)
    // A span the job makes itself: it must be a child of the attempt's span.
    await trace.getTracer('job').startActiveSpan('write file', async (span) => span.end())
    const failed = failures.get(payload.id) ?? 0
    if (failed < payload.fail) {
      failures.set(payload.id, failed + 1)
      throw new Error(`attempt ${failed + 1} of ${payload.id} failed`)
    }
  },
  { attempts: 3, backoff: 10 },
)

jobs.work({ concurrency: 4, telemetry: otel(), onError: () => {} })
console.log(JSON.stringify({ type: 'listening', url: '' }))
