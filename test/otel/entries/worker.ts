// The traced app on workerd, through worker(): the SDK with a context manager over
// workerd's own AsyncLocalStorage (the nodejs_als flag; @opentelemetry/context-async-hooks
// needs the whole of nodejs_compat for its `events` import), spans printed as JSON lines.
import { AsyncLocalStorage } from 'node:async_hooks'
import { ROOT_CONTEXT, type Context, type ContextManager } from '@opentelemetry/api'
import { worker } from 'finish-request/cloudflare'
import { otel } from 'finish-request/otel'
import { otelApp } from '../app.ts'
import { startSdk } from '../sdk.ts'

/** What @microlabs/otel-cf-workers registers too: OpenTelemetry's context in an AsyncLocalStorage. */
class AsyncLocalStorageContext implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>()
  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(context: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.storage.run(context, () => fn.apply(thisArg, args))
  }
  bind<T>(context: Context, target: T): T {
    if (typeof target !== 'function') return target
    const manager = this
    return function (this: unknown, ...args: unknown[]) {
      return manager.with(context, () => target.apply(this, args))
    } as T
  }
  enable(): this {
    return this
  }
  disable(): this {
    return this
  }
}

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
