import type { SignalRuntime } from './signals.ts'

/**
 * What a runtime supplies so that `serve()` can listen and shut down: the only part
 * of `serve()` that differs between Node, Bun and Deno. (How a runtime reports that a
 * response was delivered is the `WatchDelivery` its `handle()` passes per request.)
 */
export interface Runtime extends SignalRuntime {
  /** Starts listening; resolves with the server's URL. */
  listen(): Promise<string>
  /** Stops accepting; resolves when in-flight responses have finished. */
  stop(): Promise<void>
  /** Cuts connections still open after the grace period. */
  forceStop(): void
}
