// The traced app on workerd, through worker(): the SDK with a context manager over
// workerd's own AsyncLocalStorage, spans printed as JSON lines.
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
      handler = worker(otelApp(), { telemetry: otel(), onError: () => {} })
    }
    return handler.fetch(request, env, ctx)
  },
}
