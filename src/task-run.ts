import { abandonedError, timeoutError, toError } from './errors.ts'
import type { Supervisor } from './supervisor.ts'
import type { TaskTelemetry } from './telemetry.ts'
import type { DeliveryKind, JobInfo, Task, TaskControl, TaskEvent, TaskReport, TaskStatus } from './types.ts'

/** What only some runs need, kept out of the object every task allocates. */
interface Rare {
  timeout?: number
  /** Only for tasks with a timeout; the others share the supervisor's signal. */
  deadline?: { controller: AbortController; timer: ReturnType<typeof setTimeout> }
  resolveDone?: () => void
  job?: JobInfo
  /** Only with a `telemetry` option. */
  telemetry?: TaskTelemetry
}

/** How delivery was known, kept as its index in a small integer (a run's or a request's state). */
export const DELIVERY_KINDS: readonly DeliveryKind[] = ['returned', 'confirmed', 'body-end', 'platform']
const SETTLED = 1

/**
 * Start times in eighths of a millisecond: a small integer (no boxed double per task)
 * for the first three days of a process, and still correct, if boxed, after that.
 */
const TICKS_PER_MS = 8
const ticks = (): number => Math.floor(performance.now() * TICKS_PER_MS)

/**
 * One task from registration to its single report. `finish` is idempotent: whichever of
 * settle, timeout or abandonment comes first wins, and later outcomes are ignored.
 *
 * A pending task costs this object, plus what watches its promise: a server with
 * thousands pending holds thousands of these, so rarely used fields live in `rare`, and
 * flags and small values share one integer (`bench/heap.ts` shows what each field costs).
 */
export class TaskRun {
  /** The settled bit, then the index of how delivery was known. */
  private state = 0
  /** In ticks (see `ticks`); -1 before the start. */
  private startedAt = -1
  /** The supervisor's list of unsettled runs (a list, not a Set: less memory per task). */
  prev: TaskRun | undefined
  next: TaskRun | undefined
  private rare: Rare | undefined

  constructor(
    readonly supervisor: Supervisor,
    readonly id: number,
    readonly name: string,
    // Two strings, not a { method, url } object per request: a pending task is small.
    readonly method: string,
    readonly url: string,
    timeout: number | undefined,
    job?: JobInfo,
  ) {
    if (timeout !== undefined || job !== undefined) this.rare = { timeout, job }
  }

  /**
   * For a platform's waitUntil, asked for once: resolves when the task is reported,
   * never rejects. Made on demand, as our own servers track tasks without it (it would
   * be a fifth of a pending task's memory).
   */
  done(): Promise<void> {
    return this.state & SETTLED ? Promise.resolve() : new Promise((resolve) => ((this.rare ??= {}).resolveDone = resolve))
  }

  /** Its telemetry, if the supervisor has any. */
  get telemetry(): TaskTelemetry | undefined {
    return this.rare?.telemetry
  }

  set telemetry(telemetry: TaskTelemetry | undefined) {
    ;(this.rare ??= {}).telemetry = telemetry
  }

  get settled(): boolean {
    return (this.state & SETTLED) !== 0
  }

  /** How delivery was known when the task started. */
  get delivery(): DeliveryKind {
    return DELIVERY_KINDS[this.state >> 1]!
  }

  start(task: Task, delivery: DeliveryKind = 'returned'): void {
    if (this.state & SETTLED) return
    this.startedAt = ticks()
    this.state = DELIVERY_KINDS.indexOf(delivery) << 1
    let signal: AbortSignal
    const ms = this.rare?.timeout
    if (ms === undefined) {
      // Tasks without a deadline can only be aborted all together at shutdown: share one signal.
      signal = this.supervisor.sharedSignal()
    } else {
      const controller = new AbortController()
      signal = controller.signal
      this.rare!.deadline = { controller, timer: setTimeout(() => this.finish('timeout', timeoutError(this.name, ms)), ms) }
    }
    const supervisor = this.supervisor
    if (supervisor.watched) supervisor.emit({ type: 'started', id: this.id, at: Date.now() })
    try {
      const telemetry = this.rare?.telemetry
      const result = telemetry === undefined ? task(signal, new Control(this)) : telemetry.run(task, signal, new Control(this))
      // Reading `then` runs user code too (a getter may throw), so it stays inside the try.
      if (!isThenable(result)) return this.finish('ok')
      // Bound functions, not closures: no shared context object, less memory per pending task.
      Promise.resolve(result).then(fulfilled.bind(this), rejected.bind(this))
    } catch (error) {
      this.finish('error', error)
    }
  }

  progress(done: number, total?: number): void {
    if (this.state & SETTLED) return
    this.rare?.telemetry?.progress?.(done, total)
    if (!this.supervisor.watched) return
    const event: TaskEvent = { type: 'progress', id: this.id, done, at: Date.now() }
    if (total !== undefined) event.total = total
    this.supervisor.emit(event)
  }

  abandon(): void {
    this.finish('abandoned', abandonedError(this.name))
  }

  finish(status: TaskStatus, error?: unknown): void {
    if (this.state & SETTLED) return
    this.state |= SETTLED
    const rare = this.rare
    if (rare?.deadline !== undefined) {
      clearTimeout(rare.deadline.timer)
      if (status === 'timeout' || status === 'abandoned') rare.deadline.controller.abort(error)
    }
    this.supervisor.settle(this, status, error)
    rare?.resolveDone?.()
  }

  report(status: TaskStatus, error?: unknown): TaskReport {
    const report: TaskReport = {
      name: this.name,
      status,
      durationMs: this.startedAt === -1 ? 0 : performance.now() - this.startedAt / TICKS_PER_MS,
      delivery: this.delivery,
      request: { method: this.method, url: this.url },
    }
    const job = this.rare?.job
    if (job) report.job = job
    if (status !== 'ok') report.error = toError(error)
    return report
  }
}

function fulfilled(this: TaskRun): void {
  this.finish('ok')
}
function rejected(this: TaskRun, error: unknown): void {
  this.finish('error', error)
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  )
}

/** A task's second argument: the one thing of its run a task may touch. */
class Control implements TaskControl {
  constructor(private readonly run: TaskRun) {}

  progress(done: number, total?: number): void {
    if (typeof done !== 'number' || (total !== undefined && typeof total !== 'number')) {
      throw new TypeError(`task.progress(done, total): done and total must be numbers, got ${typeof done} and ${typeof total}`)
    }
    this.run.progress(done, total)
  }
}
