import { logTaskError, callSafely } from './log.ts'
import { macrotask, type Later } from './macrotask.ts'
import { TaskRun } from './task-run.ts'
import type { TaskTelemetry, TraceCarrier } from './telemetry.ts'
import type { JobInfo, ReportOptions, SubscribeOptions, TaskEvent, TaskReport, TaskStatus } from './types.ts'

export interface DrainResult {
  /** Tasks that settled (ok, error or timeout) while closing. */
  completed: number
  /** Tasks still running at the deadline: their signals were aborted and they were reported `abandoned`. */
  abandoned: number
}

/**
 * Owns every task of one server (or one worker, or one test context): counts what is
 * pending, turns outcomes into reports, and drains or abandons at shutdown.
 */
export class Supervisor {
  pending = 0
  completed = 0
  abandoned = 0
  private running: TaskRun | undefined
  private idleWaiters: Array<() => void> = []
  private shared: AbortController | undefined
  private closed = false
  private nextId = 0
  /** Only set while someone watches (the inspector): unwatched servers pay one check. */
  private listeners: Set<(event: TaskEvent) => void> | undefined
  /** Listeners to ends only (the inspector's history): no event at registration or start. */
  private endListeners: Set<(event: TaskEvent) => void> | undefined

  constructor(
    readonly options: ReportOptions = {},
    /** How tasks get to a later macrotask; servers batch, workerd must not. */
    readonly later: Later = macrotask,
  ) {}

  /** Created lazily: workerd forbids an AbortController at module scope. */
  sharedSignal(): AbortSignal {
    return (this.shared ??= new AbortController()).signal
  }

  /** `timeout`: undefined takes the default `taskTimeout`; Infinity overrides it with none. */
  create(name: string, method: string, url: string, timeout: number | undefined, job?: JobInfo, trace?: TraceCarrier): TaskRun {
    const ms = timeout === undefined ? this.options.taskTimeout : timeout === Infinity ? undefined : timeout
    const run = new TaskRun(this, ++this.nextId, name, method, url, ms, job)
    // Here, synchronously: still in the async context of the code that registers the task.
    const telemetry = this.options.telemetry
    if (telemetry !== undefined) {
      const observed = telemetry.task(trace === undefined ? { name, job } : { name, job, trace })
      if (observed !== undefined) run.telemetry = observed
    }
    this.pending++
    if (this.listeners) this.emit({ type: 'registered', id: run.id, name, request: { method, url }, at: Date.now(), job })
    run.next = this.running
    if (this.running) this.running.prev = run
    this.running = run
    // Work accepted after the drain deadline cannot run any more, but it must not vanish.
    if (this.closed) run.abandon()
    return run
  }

  settle(run: TaskRun, status: TaskStatus, error: unknown): void {
    if (run.prev) run.prev.next = run.next
    else this.running = run.next
    if (run.next) run.next.prev = run.prev
    run.prev = run.next = undefined
    this.pending--
    if (status === 'abandoned') this.abandoned++
    else this.completed++
    // Most tasks end well and nobody asked to hear about it: then no report is built.
    const { onError = logTaskError, onTaskEnd } = this.options
    const telemetry = run.telemetry
    if (status !== 'ok' || onTaskEnd || this.listeners || this.endListeners || telemetry) {
      const report = run.report(status, error)
      // First, so that a span is ended before user callbacks (which may flush) see the report.
      if (telemetry) callSafely(endTelemetry, telemetry, report)
      if (report.error) callSafely(onError, report.error, report)
      if (onTaskEnd) callSafely(onTaskEnd, report)
      if (this.listeners || this.endListeners) this.emitEnd({ type: 'ended', id: run.id, report, at: Date.now() })
    }
    if (this.pending === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters
      this.idleWaiters = []
      for (const wake of waiters) wake()
    }
  }

  /**
   * Reports a failure that ended no task run here (a durable job the engine did not
   * take, a job no definition matches) through `onError` and `onTaskEnd`, like any
   * other report: metrics built on `onTaskEnd` must see it too.
   */
  notify(error: Error, report: TaskReport): void {
    const { onError = logTaskError, onTaskEnd } = this.options
    callSafely(onError, error, report)
    if (onTaskEnd) callSafely(onTaskEnd, report)
  }

  /** Whether anyone subscribed: events are only built then. */
  get watched(): boolean {
    return this.listeners !== undefined
  }

  subscribe(listener: (event: TaskEvent) => void, options?: SubscribeOptions): () => void {
    if (options?.endedOnly) {
      ;(this.endListeners ??= new Set()).add(listener)
      return () => {
        this.endListeners?.delete(listener)
        if (this.endListeners?.size === 0) this.endListeners = undefined
      }
    }
    ;(this.listeners ??= new Set()).add(listener)
    return () => {
      this.listeners?.delete(listener)
      if (this.listeners?.size === 0) this.listeners = undefined
    }
  }

  /** An end (or the closing) goes to every listener, those to ends only included. */
  private emitEnd(event: TaskEvent): void {
    if (this.listeners) this.emit(event)
    if (this.endListeners) for (const listener of this.endListeners) callSafely(listener, event)
  }

  /** Only called while `listeners` is set. A listener that throws is logged, not fatal. */
  emit(event: TaskEvent): void {
    for (const listener of this.listeners!) callSafely(listener, event)
  }

  /** Tells watchers the source is closing, before it waits for in-flight responses. */
  announceClosing(): void {
    if (this.listeners || this.endListeners) this.emitEnd({ type: 'closing', at: Date.now() })
  }

  /** Resolves when no task is pending (at once if none is). */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /**
   * Waits for pending tasks (including ones registered meanwhile) until `deadline`
   * (a `performance.now()` time), then aborts and reports the rest as abandoned.
   */
  async drain(deadline: number): Promise<void> {
    const wait = deadline - performance.now()
    if (this.pending > 0 && wait > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined
      await Promise.race([this.idle(), new Promise<void>((resolve) => (timer = setTimeout(resolve, wait)))])
      clearTimeout(timer)
    }
    this.abandonAll()
  }

  /** Aborts every pending task and reports it abandoned; later tasks are abandoned at once. */
  abandonAll(): void {
    this.closed = true
    const runs: TaskRun[] = []
    for (let run = this.running; run; run = run.next) runs.push(run)
    for (const run of runs) run.abandon()
    this.shared?.abort(new DOMException('the server closed before the task finished', 'AbortError'))
  }
}

function endTelemetry(telemetry: TaskTelemetry, report: TaskReport): void {
  telemetry.end(report)
}
