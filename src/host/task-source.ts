import type { SubscribeOptions, TaskEvent, TaskSource } from '../types.ts'

/** The one way every handle, server, middleware and worker becomes a TaskSource: `pending` and `subscribe` of its own. */
export function asTaskSource<T extends object>(target: T, source: TaskSource): T & TaskSource {
  return Object.defineProperties(target, {
    pending: { get: () => source.pending, enumerable: true },
    subscribe: {
      value: (listener: (event: TaskEvent) => void, options?: SubscribeOptions) => source.subscribe(listener, options),
      enumerable: true,
    },
  }) as T & TaskSource
}
