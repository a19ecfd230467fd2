import type { Later } from '../macrotask.ts'
import type { DrainResult } from '../supervisor.ts'
import type { FetchHandler, TaskSource } from '../types.ts'
import { checkCount, fail, type OptionNames } from '../validate.ts'
import { Host } from './host.ts'
import { HANDLE_OPTION_NAMES, hostConfig, type HandleOptions } from './options.ts'
import { closeOnSignals, processSignals } from './signals.ts'
import { asTaskSource } from './task-source.ts'

/** Options of every `finishRequest()` middleware: `handle()`'s (the framework has its own env), plus `signals`. */
export interface FinishRequestOptions extends Omit<HandleOptions, 'env'> {
  /**
   * Signals that close gracefully (refuse new requests with 503, let handlers in flight
   * finish, drain tasks, run `onShutdown`), then exit: 0, or `abandonedExitCode` (75)
   * when tasks had to be abandoned; `false` for none. Default
   * `['SIGINT', 'SIGTERM']` where the process is the app's own (Node, Bun, Deno); never
   * on a platform that owns it (Workers, Vercel, Netlify).
   */
  signals?: readonly string[] | false
  /** The exit code after a signal's close that had to abandon tasks, as `serve()`'s. Default 75. */
  abandonedExitCode?: number
}

// A middleware takes no env: the framework passes its own.
const { env: _env, ...HANDLE_OPTION_NAMES_BUT_ENV } = HANDLE_OPTION_NAMES

/** Every option name a middleware knows, checked against `FinishRequestOptions` by the compiler. */
const FINISH_REQUEST_OPTION_NAMES = {
  ...HANDLE_OPTION_NAMES_BUT_ENV,
  signals: true,
  abandonedExitCode: true,
} as const satisfies OptionNames<FinishRequestOptions>

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

/**
 * The state one `finishRequest()` middleware shares across its requests: the Host,
 * the handlers in flight (a close waits for them before draining, since the server
 * that would wait for its responses is the user's), and the signal handlers, installed
 * once a request shows that the process is the app's own.
 */
export class Adoption {
  readonly host: Host
  private readonly signals: readonly string[]
  private readonly abandonedExitCode: number
  private inFlight = 0
  private whenIdle: (() => void) | undefined
  private signalsInstalled = false
  private closing: Promise<DrainResult> | undefined
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
    checkCount(call, 'options.abandonedExitCode', options?.abandonedExitCode, 0)
    this.abandonedExitCode = options?.abandonedExitCode ?? 75
    this.host = new Host(hostConfig(call, NO_APP, options, FINISH_REQUEST_OPTION_NAMES), later)
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
    const runtime = processSignals()
    if (runtime === undefined) return
    // What a signal closes first (the Fastify plugin: the whole instance, whose onClose
    // drains), then this middleware's own drain.
    const abandonNow = (): void => {
      this.host.abandonNow()
      // Handlers still in flight (an open stream) are not waited for any longer either.
      this.whenIdle?.()
    }
    const target = { close: () => this.closeOnSignal().then(() => this.close()), abandonNow }
    this.removeSignals.push(closeOnSignals(this.signals, target, runtime, this.abandonedExitCode))
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

  /** Adds `pending`, `close()` and `subscribe()` to the framework's middleware function. */
  control<M extends object>(middleware: M): M & FinishRequestControl {
    Object.defineProperty(middleware, 'close', { value: () => this.close(), enumerable: true })
    return asTaskSource(middleware, this.host) as M & FinishRequestControl
  }
}
