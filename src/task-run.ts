import { abandonedError, timeoutError, toError } from './errors.ts'
import type { Supervisor } from './supervisor.ts'
import type { RequestInfo, Task, TaskStatus } from './types.ts'

/**
 * One task from registration to its single report. `finish` is idempotent: whichever of
 * settle, timeout or abandonment comes first wins, and later outcomes are ignored.
 */
export class TaskRun {
  settled = false
  startedAt = 0
  private controller: AbortController | undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  private whenDone: Promise<void> | undefined
  private resolveDone: (() => void) | undefined

  constructor(
    readonly supervisor: Supervisor,
    readonly name: string,
    readonly request: RequestInfo,
    readonly timeout: number | undefined,
  ) {}

  /**
   * For a platform's waitUntil: resolves once the task is reported, never rejects.
   * Made on demand, as our own servers track tasks without it (it is a third of a
   * pending task's memory).
   */
  get done(): Promise<void> {
    if (this.whenDone === undefined) {
      this.whenDone = this.settled ? Promise.resolve() : new Promise((resolve) => (this.resolveDone = resolve))
    }
    return this.whenDone
  }

  start(task: Task): void {
    if (this.settled) return
    this.startedAt = performance.now()
    let signal: AbortSignal
    if (this.timeout === undefined) {
      // Tasks without a deadline can only be aborted all together at shutdown: share one signal.
      signal = this.supervisor.sharedSignal()
    } else {
      this.controller = new AbortController()
      signal = this.controller.signal
      const ms = this.timeout
      this.timer = setTimeout(() => this.finish('timeout', timeoutError(this.name, ms)), ms)
    }
    try {
      const result = task(signal)
      // Reading `then` runs user code too (a getter may throw), so it stays inside the try.
      if (!isThenable(result)) return this.finish('ok')
      Promise.resolve(result).then(
        () => this.finish('ok'),
        (error: unknown) => this.finish('error', error),
      )
    } catch (error) {
      this.finish('error', error)
    }
  }

  abandon(): void {
    this.finish('abandoned', abandonedError(this.name))
  }

  finish(status: TaskStatus, error?: unknown): void {
    if (this.settled) return
    this.settled = true
    if (this.timer !== undefined) clearTimeout(this.timer)
    if (status === 'timeout' || status === 'abandoned') this.controller?.abort(error)
    const durationMs = this.startedAt === 0 ? 0 : performance.now() - this.startedAt
    this.supervisor.settle(this, {
      name: this.name,
      status,
      ...(status === 'ok' ? {} : { error: toError(error) }),
      durationMs,
      request: this.request,
    })
    this.resolveDone?.()
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  )
}
