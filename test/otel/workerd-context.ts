// OpenTelemetry's context on workerd: a context manager over workerd's own
// AsyncLocalStorage (the nodejs_als flag). @opentelemetry/context-async-hooks would do,
// but it imports `events` too, which needs the whole of nodejs_compat.
import { AsyncLocalStorage } from 'node:async_hooks'
import { ROOT_CONTEXT, type Context, type ContextManager } from '@opentelemetry/api'

/** What @microlabs/otel-cf-workers registers too: OpenTelemetry's context in an AsyncLocalStorage. */
export class AsyncLocalStorageContext implements ContextManager {
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

