import type { DrainResult } from '../supervisor.ts'
import type { SubscribeOptions, TaskEvent, TaskSource } from '../types.ts'
import type { Host } from './host.ts'

/** What `handle()` returns on every runtime; each adapter adds its own `fetch` (and Node its `listener`). */
export interface Handler extends TaskSource {
  /** Tasks registered and not yet reported. */
  readonly pending: number
  /**
   * For your own shutdown code: refuses new requests (503), drains tasks up to
   * `gracePeriod`, abandons the rest, runs `onShutdown`. Stopping your server is yours.
   */
  close(): Promise<DrainResult>
}

export function handlerOf<H extends Handler>(host: Host, own: Omit<H, keyof Handler>): H {
  return {
    ...own,
    get pending() {
      return host.pending
    },
    close: () => host.close(),
    subscribe: (listener: (event: TaskEvent) => void, options?: SubscribeOptions) => host.subscribe(listener, options),
  } as unknown as H
}
