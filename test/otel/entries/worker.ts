// The traced app on workerd, through worker(): the SDK with a context manager over
// workerd's own AsyncLocalStorage, spans printed as JSON lines.
import { AsyncLocalStorage } from 'node:async_hooks'
import { worker } from 'finish-request/cloudflare'
import { otel } from 'finish-request/otel'
import { otelApp } from '../app.ts'
import { startSdk } from '../sdk.ts'
import { AsyncLocalStorageContext } from '../workerd-context.ts'

// workerd allows no timers or random values at module scope: set up on the first request.
let handler: ReturnType<typeof worker> | undefined
export default {
  fetch(request: Request, env: unknown, ctx: never) {
    if (handler === undefined) {
      startSdk(new AsyncLocalStorageContext(), { print: true })
      // nodejs_als, not nodejs_compat: the ctx-free forms need the class handed over.
      handler = worker(otelApp(), { telemetry: otel(), onError: () => {}, asyncLocalStorage: AsyncLocalStorage })
    }
    return handler.fetch(request, env, ctx)
  },
}
