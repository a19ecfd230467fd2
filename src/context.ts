import { macrotask, type Later } from './macrotask.ts'
import type { Supervisor } from './supervisor.ts'
import type { TaskRun } from './task-run.ts'
import { fail } from './validate.ts'
import { DURABLE, isDurable, type DurableTask } from './durable.ts'
import type { ExecutionContext, RequestInfo, Task, TaskOptions, WaitUntilContext } from './types.ts'

/**
 * Called once, when the request's first task is registered, with the adapter's own
 * handle on the response (`source`): the adapter calls `delivered` when the response
 * has left (at once if it already has). Lazy, so a request without tasks costs no
 * listener; a plain function of the source, so a request costs no closure either.
 */
export type WatchDelivery<Source = unknown> = (source: Source, delivered: () => void) => void

/** For contexts with no response to wait for (tests, foreign contexts). */
export const deliverAtOnce: WatchDelivery = (_, delivered) => delivered()

/** `deliveryTimeout` when none is given. */
const DEFAULT_DELIVERY_TIMEOUT = 10_000

const UNKNOWN_REQUEST: RequestInfo = Object.freeze({ method: '', url: '' })

const WAITING = 0
const WATCHING = 1
const DELIVERED = 2

/**
 * The ExecutionContext that adapters hand to `fetch` as its third argument. Tasks
 * registered on it wait for the response to be delivered, then start together through
 * the supervisor's `later` (a shared ~1 ms timer on servers, a macrotask on workerd).
 *
 * Each task starts as a reaction to the request's `gate` promise, registered when the
 * task was: a promise reaction runs in the async context of the `then()` call, so every
 * task sees the AsyncLocalStorage stores of the code that registered it, whichever
 * request's timer released it. That costs one reaction per task, far less than an
 * `AsyncLocalStorage.snapshot()` each.
 */
export class RequestContext<Props = unknown, Source = unknown> implements ExecutionContext<Props> {
  private ownProps: Props | undefined
  private info: RequestInfo | undefined
  private state = WAITING
  /** Tasks registered and not started yet wait on this. */
  private gate: Promise<void> | undefined
  private open: (() => void) | undefined
  private releasing = false
  /** Durable tasks being persisted; the adapter awaits them before answering. */
  private persisting: Promise<void>[] | undefined
  /** A durable task's engine was down and it asked for a 503 instead of the response. */
  private refuse = false

  constructor(
    readonly supervisor: Supervisor,
    private request: { method: string; url: string } | undefined,
    private readonly watch: WatchDelivery<Source>,
    private source: Source,
    /**
     * The platform's own context (Workers, or a foreign one), which gets every task's
     * promise so the isolate stays alive for it.
     */
    private readonly platform?: WaitUntilContext & Partial<ExecutionContext<Props>>,
  ) {}

  get props(): Props {
    return this.platform?.props ?? (this.ownProps ??= {} as Props)
  }

  set props(value: Props) {
    if (this.platform && 'props' in this.platform) this.platform.props = value
    else this.ownProps = value
  }

  waitUntil(promise: Promise<unknown>): void {
    if (promise === null || typeof promise !== 'object' || typeof promise.then !== 'function') {
      fail('ctx.waitUntil(promise)', 'promise must be a Promise', promise)
    }
    // An already-running promise: track and report it, no delivery gate to wait for.
    const run = this.createRun('waitUntil', undefined)
    run.start(() => promise)
    this.platform?.waitUntil(run.done())
  }

  passThroughOnException(): void {
    // Only meaningful behind Cloudflare's proxy; elsewhere there is no origin to fall back to.
    this.platform?.passThroughOnException?.()
  }

  /** Registers a validated task; it starts after delivery. A durable one is persisted now. */
  schedule(task: Task | DurableTask, options: TaskOptions | undefined): void {
    if (isDurable(task)) return this.persist(task, options)
    const run = this.createRun(options?.name || task.name || 'anonymous', options?.timeout)
    ;(this.gate ??= new Promise((open) => (this.open = open))).then(() => run.start(task))
    if (this.state === WAITING) {
      this.watchDelivery()
    } else if (this.state === DELIVERED) {
      // The response left long ago (a task registering a task): no reason to wait.
      this.release(macrotask)
    }
    this.platform?.waitUntil(run.done())
  }

  /**
   * Resolves once every durable task registered so far is persisted (or fell back), to
   * whether one of them asked for the request to be refused; `undefined` when there
   * is nothing to wait for, so the common path stays synchronous.
   */
  persisted(): Promise<boolean> | undefined {
    if (this.persisting === undefined) return undefined
    const waiting = this.persisting
    this.persisting = undefined
    return Promise.all(waiting).then(() => this.persisted() ?? this.refuse)
  }

  private persist(task: DurableTask, options: TaskOptions | undefined): void {
    const durable = task[DURABLE]
    const supervisor = this.supervisor
    const persisting = durable
      .persist(this.requestInfo(), (error, report) => supervisor.notify(error, report))
      .then((outcome) => {
        if (outcome === 'refuse') this.refuse = true
        else if (typeof outcome === 'function') this.schedule(outcome, { ...options, name: options?.name ?? durable.name })
      })
    ;(this.persisting ??= []).push(persisting)
    this.platform?.waitUntil(persisting)
  }

  private watchDelivery(): void {
    this.state = WATCHING
    let deadline: ReturnType<typeof setTimeout> | undefined
    const delivered = (): void => {
      if (this.state === DELIVERED) return
      this.state = DELIVERED
      clearTimeout(deadline)
      this.source = undefined as Source
      this.release(this.supervisor.later)
    }
    this.watch(this.source, delivered)
    // A client that stops reading must not hold its tasks (and their admission slots)
    // hostage: by then the server is waiting on the client, not writing to it. Most
    // responses are delivered within the turn, so the timer is only armed for those
    // still on their way one macrotask later.
    const ms = this.supervisor.options.deliveryTimeout ?? DEFAULT_DELIVERY_TIMEOUT
    if (this.state === DELIVERED || ms === Infinity) return
    this.supervisor.later(() => {
      if (this.state !== DELIVERED) deadline = setTimeout(delivered, ms)
    })
  }

  private requestInfo(): RequestInfo {
    if (this.info === undefined) {
      // Keep two strings, not the Request, alive for as long as tasks run.
      this.info = this.request ? { method: this.request.method, url: this.request.url } : UNKNOWN_REQUEST
      this.request = undefined
    }
    return this.info
  }

  private createRun(name: string, timeout: number | undefined): TaskRun {
    return this.supervisor.create(name, this.requestInfo(), timeout)
  }

  /** Opens the gate on a later turn; tasks registered after that wait for the next one. */
  private release(later: Later): void {
    if (this.open === undefined || this.releasing) return
    this.releasing = true
    later(() => {
      const open = this.open!
      this.gate = this.open = undefined
      this.releasing = false
      open()
    })
  }
}
