import type { DrainResult } from '../supervisor.ts'
import type { TaskSource } from '../types.ts'
import type { Host } from './host.ts'
import { asTaskSource } from './task-source.ts'

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
  return asTaskSource({ ...own, close: () => host.close() }, host) as unknown as H
}
