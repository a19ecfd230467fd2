import type { DrainResult } from '../supervisor.ts'

/** How code reaches the process's signals and exit: a runtime adapter's, or `process` itself. */
export interface SignalRuntime {
  /** Subscribes to a process signal; returns the unsubscribe. */
  onSignal(signal: string, handler: () => void): () => void
  exit(code: number): void
}

/** What a signal closes: gracefully on the first signal, at once (abandoning what is left) on a second. */
export interface Closable {
  /** Once: later calls get the same promise. */
  close(): Promise<DrainResult>
  abandonNow(): void
}

/**
 * Every close that a signal started in this process (a server, a middleware, job workers
 * beside them): the process exits once all of them have settled, with the worst code.
 */
const closingOnSignal = new Set<Promise<number>>()

/**
 * A close started some other way (the user's own shutdown code calling `close()`): a
 * signal's exit waits for it too, rather than cutting its drain short.
 */
export function trackClose(closing: Promise<unknown>): void {
  closingOnSignal.add(closing.then(() => 0, () => 1))
}

/**
 * `signals` close `target`, then the process exits: 0, or `abandonedExitCode` when tasks
 * had to be abandoned (lost work, which whatever restarts the process should hear of), or
 * 1 when the close itself failed. A second signal abandons what is left at once, instead
 * of letting the runtime's default handler kill the process with tasks unreported.
 * Returns the uninstall.
 */
export function closeOnSignals(signals: readonly string[], target: Closable, runtime: SignalRuntime, abandonedExitCode: number): () => void {
  let signalled = false
  const onSignal = (): void => {
    if (signalled) return target.abandonNow()
    signalled = true
    const code = target.close().then(
      ({ abandoned }) => (abandoned > 0 ? abandonedExitCode : 0),
      (error: unknown) => {
        console.error('[finish-request] close failed:', error)
        return 1
      },
    )
    closingOnSignal.add(code)
    void code.then(() => Promise.all(closingOnSignal)).then((codes) => runtime.exit(Math.max(...codes)))
  }
  const off = signals.map((signal) => runtime.onSignal(signal, onSignal))
  return () => off.forEach((unsubscribe) => unsubscribe())
}

interface ProcessLike {
  on(signal: string, listener: () => void): unknown
  off(signal: string, listener: () => void): unknown
  exit(code: number): never
}

/** Signals through the `process` global (Node, Bun, Deno), for code without a runtime adapter; undefined elsewhere. */
export function processSignals(): SignalRuntime | undefined {
  const process = (globalThis as { process?: ProcessLike }).process
  if (typeof process?.on !== 'function' || typeof process.exit !== 'function') return undefined
  return {
    onSignal(signal, handler) {
      process.on(signal, handler)
      return () => void process.off(signal, handler)
    },
    exit: (code) => process.exit(code),
  }
}
