import type { Later } from '../macrotask.ts'
import type { DrainResult } from '../supervisor.ts'
import type { FetchHandler, TaskEvent, TaskSource } from '../types.ts'
import { fail } from '../validate.ts'
import { Host } from './host.ts'
import { hostConfig, type HandleOptions } from './options.ts'

/** Options of every `finishRequest()` middleware: `handle()`'s (the framework has its own env), plus `signals`. */
export interface FinishRequestOptions extends Omit<HandleOptions, 'env'> {
  /**
   * Signals that close gracefully (refuse new requests with 503, let handlers in flight
   * finish, drain tasks, run `onShutdown`), then exit 0; `false` for none. Default
   * `['SIGINT', 'SIGTERM']` where the process is the app's own (Node, Bun, Deno); never
   * on a platform that owns it (Workers, Vercel, Netlify).
   */
  signals?: readonly string[] | false
}

/** What every `finishRequest()` middleware also is, as a `Handler` is: a task source to drain or watch. */
export interface FinishRequestControl extends TaskSource {
  /** Tasks registered and not yet reported. */
  readonly pending: number
  /** Refuses new requests (503), lets handlers in flight finish, drains tasks up to `gracePeriod`, runs `onShutdown`. */
  close(): Promise<DrainResult>
}

// The framework runs the handler: a middleware's host never calls one of its own.
const NO_APP: FetchHandler = () => {
  throw new Error('finishRequest(): a middleware runs its framework\'s chain through Host.enter(), never an app of its own')
}

interface ProcessLike {
  on(signal: string, listener: () => void): unknown
  off(signal: string, listener: () => void): unknown
  exit(code: number): never
}

/**
 * The state one `finishRequest()` middleware shares across its requests: the Host,
 * the handlers in flight (a close waits for them before draining, since the server
 * that would wait for its responses is the user's), and the signal handlers, installed
 * once a request shows that the process is the app's own.
 */
export class Adoption {
  readonly host: Host
  private readonly signals: readonly string[]
  private inFlight = 0
  private whenIdle: (() => void) | undefined
  private signalsInstalled = false
  private closing: Promise<DrainResult> | undefined
  private signalled = false
  private readonly removeSignals: Array<() => void> = []
  /** What a signal closes; the Fastify plugin closes the whole Fastify instance, whose onClose drains. */
  closeOnSignal: () => Promise<unknown> = () => this.close()

  constructor(call: string, options: FinishRequestOptions | undefined, later: Later) {
    if (options !== undefined && (options === null || typeof options !== 'object')) fail(call, 'options must be an object', options)
    if (options && 'env' in options) fail(call, "options.env is not an option of a middleware: the framework passes its own env", options.env)
    const signals = options?.signals ?? ['SIGINT', 'SIGTERM']
    if (signals !== false && (!Array.isArray(signals) || signals.some((s) => typeof s !== 'string'))) {
      fail(call, 'options.signals must be an array of signal names or false', signals)
    }
    this.signals = signals || []
    this.host = new Host(hostConfig(call, NO_APP, options), later)
  }

  /** A request's handler starts; `end()` once it is over. */
  begin(): void {
    this.inFlight++
  }

  end(): void {
    if (--this.inFlight === 0 && this.whenIdle) this.whenIdle()
  }

  /** The process is the app's own (not a platform's): from now on, `signals` close it. Once. */
  ownProcess(): void {
    if (this.signalsInstalled) return
    this.signalsInstalled = true
    const process = (globalThis as { process?: ProcessLike }).process
    if (typeof process?.on !== 'function') return
    const onSignal = (): void => this.onSignal(process)
    for (const signal of this.signals) {
      process.on(signal, onSignal)
      this.removeSignals.push(() => process.off(signal, onSignal))
    }
  }

  close(): Promise<DrainResult> {
    return (this.closing ??= this.host
      .close({ stop: () => this.handlersDone(), forceStop: () => {} })
      .finally(() => this.removeSignals.splice(0).forEach((off) => off())))
  }

  private handlersDone(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve()
    return new Promise((resolve) => (this.whenIdle = resolve))
  }

  private onSignal(process: ProcessLike): void {
    if (this.signalled) {
      // A second signal means "now": abandon (and so report) what is left.
      this.host.abandonNow()
      return
    }
    this.signalled = true
    this.closeOnSignal()
      .then(() => this.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error('[finish-request] close failed:', error)
          process.exit(1)
        },
      )
  }

  /** Adds `pending`, `close()` and `subscribe()` to the framework's middleware function. */
  control<M extends object>(middleware: M): M & FinishRequestControl {
    const host = this.host
    return Object.defineProperties(middleware, {
      pending: { get: () => host.pending, enumerable: true },
      close: { value: () => this.close(), enumerable: true },
      subscribe: { value: (listener: (event: TaskEvent) => void) => host.subscribe(listener), enumerable: true },
    }) as M & FinishRequestControl
  }
}
