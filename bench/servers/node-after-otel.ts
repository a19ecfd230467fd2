// node-after.ts with `telemetry: otel()` and no OpenTelemetry SDK registered: what a
// server pays for the option when nobody set up a provider (bench/telemetry/README.md).
import { serve } from 'finish-request/node'
import { otel } from 'finish-request/otel'
import { createApp } from '../app.ts'
import { afterResponse } from '../schedules.ts'
import { announce, HOST, nodeHooks } from './node-hooks.ts'

const server = serve(createApp(afterResponse, nodeHooks), {
  port: 0,
  hostname: HOST,
  maxPendingTasks: Number(process.env.BENCH_MAX_PENDING) || undefined,
  asyncContext: false,
  telemetry: otel(),
})
await server.ready()
announce(server.url!)
