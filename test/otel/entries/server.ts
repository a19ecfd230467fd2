// The traced app served on Bun or Deno (finish-request/serve picks the runtime by export
// condition), with the SDK and AsyncLocalStorage context manager as a user sets them up;
// every ended span is printed as a JSON line for test/otel/runtimes.test.ts.
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { serve } from 'finish-request/serve'
import { otel } from 'finish-request/otel'
import { otelApp } from '../app.ts'
import { startSdk } from '../sdk.ts'

startSdk(new AsyncLocalStorageContextManager(), { print: true })
const server = serve(otelApp(), { port: 0, hostname: '127.0.0.1', telemetry: otel(), onError: () => {} })
await server.ready()
console.log(JSON.stringify({ type: 'listening', url: server.url }))
