import { macrotask, type Later } from './macrotask.ts'
import type { Supervisor } from './supervisor.ts'
import { DELIVERY_KINDS, type TaskRun } from './task-run.ts'
import { fail } from './validate.ts'
import { DURABLE, isDurable, type DurableTask } from './durable.ts'
import type { DeliveryKind, ExecutionContext, RequestInfo, Task, TaskOptions, WaitUntilContext } from './types.ts'

/** What an adapter tells when a request's response has left, and how it knows. */
export interface Delivery {
  delivered(kind: DeliveryKind): void
}

/**
 * Called once, when the request's first task is registered, with the adapter's own
 * handle on the response (`source`): the adapter calls `delivery.delivered()` when the
 * response has left (at once if it already has). Lazy, so a request without tasks costs
 * no listener; a plain function of the source, so a request costs no closure either.
 *
 * `progress(source)`, where the adapter can tell, is a number that changes whenever the
 * response moves (bytes written, a chunk taken) or while its handler still runs: the
 * delivery deadline only gives up on a response that stood still for `deliveryTimeout`.
 */
export type WatchDelivery<Source = unknown> = ((source: Source, delivery: Delivery) => void) & {
  progress?: (source: Source) => number
}

/** For contexts with no response of ours to wait for (tests). */
export const deliverAtOnce: WatchDelivery = (_, delivery) => delivery.delivered('returned')
/** For a platform's own context (a foreign `ctx`): its waitUntil owns the task. */
export const deliveredByPlatform: WatchDelivery = (_, delivery) => delivery.delivered('platform')

/** `deliveryTimeout` when none is given. */
const DEFAULT_DELIVERY_TIMEOUT = 10_000

// State bits. A request costs one small number, not a field per flag.
const WATCHING = 1
const DELIVERED = 2
const RELEASING = 4
/** A durable task's engine was down and it asked for a 503 instead of the response. */
const REFUSE = 8
/** Above the flags: how delivery was known, as an index into DELIVERY_KINDS. */
const KIND_SHIFT = 4

/** What only some requests need: kept out of the context every request allocates. */
interface Rare<Props> {
  /**
   * The platform's own context (Workers, or a foreign one), which gets every task's
   * promise so the isolate stays alive for it.
   */
  platform?: WaitUntilContext & Partial<ExecutionContext<Props>>
  ownProps?: Props
  /** Durable tasks being persisted; the adapter awaits them before answering. */
  persisting?: Promise<void>[]
  /** A response still on its way `deliveryTimeout` after delivery was first checked. */
  deadline?: ReturnType<typeof setTimeout>
  /** The response's progress when the deadline was last armed. */
  progressSeen?: number
}

/**
 * The ExecutionContext that adapters hand to `fetch` as its third argument. Tasks
 * registered on it wait for the response to be delivered, then start together through
 * the supervisor's `later` (a shared ~1 ms timer on servers, a macrotask on workerd).
 *
 * Each task starts as a reaction to the request's `waiting` promise, registered when the
 * task was: a promise reaction runs in the async context of the `then()` call, so every
 * task sees the AsyncLocalStorage stores of the code that registered it, whichever
 * request's timer released it. That costs one reaction per task, far less than an
 * `AsyncLocalStorage.snapshot()` each.
 *
 * It is also the request's AsyncLocalStorage store, which every promise made while
 * handling the request keeps alive: hence few fields, and nothing of the request (the
 * Request, the runtime's response handle) kept once it is no longer needed.
 */
export class RequestContext<Props = unknown, Source = unknown> implements ExecutionContext<Props>, Delivery {
  private state = 0
  /** Read once, when the first task is registered; dropped then. */
  private request: { method: string; url: string } | undefined
  private method = ''
  private url = ''
  /** Tasks registered and not started yet wait on this; it resolves to how delivery was known. */
  private waiting: Promise<DeliveryKind> | undefined
  private startWaiting: ((kind: DeliveryKind) => void) | undefined
  private rare: Rare<Props> | undefined

  constructor(
    readonly supervisor: Supervisor,
    request: { method: string; url: string } | undefined,
    private readonly watch: WatchDelivery<Source>,
    private source: Source,
    /** The platform's own context, if any: it gets every task's promise (see Rare). */
    platform?: WaitUntilContext & Partial<ExecutionContext<Props>>,
  ) {
    this.request = request
    // Kept in `rare`: on our own servers there is none, and every request allocates this object.
    if (platform !== undefined) this.rare = { platform }
  }

  private get platform(): (WaitUntilContext & Partial<ExecutionContext<Props>>) | undefined {
    return this.rare?.platform
  }

  get props(): Props {
    const platform = this.platform
    if (platform?.props !== undefined) return platform.props
    return ((this.rare ??= {}).ownProps ??= {} as Props)
  }

  set props(value: Props) {
    const platform = this.platform
    if (platform && 'props' in platform) platform.props = value
    else (this.rare ??= {}).ownProps = value
  }

  waitUntil(promise: Promise<unknown>): void {
    if (promise === null || typeof promise !== 'object' || typeof promise.then !== 'function') {
      fail('ctx.waitUntil(promise)', 'promise must be a Promise', promise)
    }
    this.track(promise, 'waitUntil', undefined)
  }

  /**
   * An already-running promise (`waitUntil`, `after(promise)`): tracked, reported once,
   * counted and drained; there is no delivery to wait for.
   */
  track(promise: PromiseLike<unknown>, name: string, timeout: number | undefined): void {
    const run = this.createRun(name, timeout)
    // Already running: it waited for nothing, so the most it can claim is that the handler ran.
    run.start(() => promise, 'returned')
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
    ;(this.waiting ??= new Promise((start) => (this.startWaiting = start))).then((kind) => run.start(task, kind))
    const state = this.state
    if ((state & (WATCHING | DELIVERED)) === 0) {
      this.watchDelivery()
    } else if (state & DELIVERED) {
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
    const waiting = this.rare?.persisting
    if (waiting === undefined) return undefined
    this.rare!.persisting = undefined
    return Promise.all(waiting).then(() => this.persisted() ?? (this.state & REFUSE) !== 0)
  }

  private persist(task: DurableTask, options: TaskOptions | undefined): void {
    const durable = task[DURABLE]
    const supervisor = this.supervisor
    const persisting = durable
      .persist(this.requestInfo(), (error, report) => supervisor.notify(error, report), supervisor.options.telemetry?.carrier?.())
      .then((outcome) => {
        if (outcome === 'refuse') this.state |= REFUSE
        else if (typeof outcome === 'function') this.schedule(outcome, { ...options, name: options?.name ?? durable.name })
      })
    ;((this.rare ??= {}).persisting ??= []).push(persisting)
    this.platform?.waitUntil(persisting)
  }

  /** Called by the adapter (through `watch`) when the response has left, or by the deadline. */
  delivered(kind: DeliveryKind): void {
    if (this.state & DELIVERED) return
    this.state |= DELIVERED | (DELIVERY_KINDS.indexOf(kind) << KIND_SHIFT)
    if (this.rare?.deadline !== undefined) clearTimeout(this.rare.deadline)
    this.source = undefined as Source
    this.release(this.supervisor.later)
  }

  private watchDelivery(): void {
    this.state |= WATCHING
    this.watch(this.source, this)
    // A client that stops reading must not hold its tasks (and their admission slots)
    // hostage: by then the server is waiting on the client, not writing to it. Most
    // responses are delivered within the turn, so the timer is only armed for those
    // still on their way one macrotask later.
    if (this.state & DELIVERED) return
    this.supervisor.later(checkDeadline, this)
  }

  /** One macrotask after the first task: arms the delivery deadline if still undelivered. */
  armDeadline(): void {
    if (this.state & DELIVERED || this.deliveryTimeout === Infinity) return
    const rare = (this.rare ??= {})
    rare.progressSeen = this.watch.progress?.(this.source)
    rare.deadline = unref(setTimeout(deadlineReached, this.deliveryTimeout, this))
  }

  /**
   * Gives up waiting for a response that stood still for `deliveryTimeout` (a client
   * that stopped reading): one still moving, or whose handler still runs, is waited for.
   */
  deadlineReached(): void {
    const rare = this.rare!
    const progress = this.watch.progress?.(this.source)
    if (progress === undefined || progress === rare.progressSeen) return this.delivered('returned')
    rare.progressSeen = progress
    rare.deadline = unref(setTimeout(deadlineReached, this.deliveryTimeout, this))
  }

  private get deliveryTimeout(): number {
    return this.supervisor.options.deliveryTimeout ?? DEFAULT_DELIVERY_TIMEOUT
  }

  /** For reports: two strings, not the Request, kept for as long as tasks run. */
  private takeRequest(): void {
    if (this.request === undefined) return
    this.method = this.request.method
    this.url = this.request.url
    this.request = undefined
  }

  private requestInfo(): RequestInfo {
    this.takeRequest()
    return { method: this.method, url: this.url }
  }

  private createRun(name: string, timeout: number | undefined): TaskRun {
    this.takeRequest()
    return this.supervisor.create(name, this.method, this.url, timeout)
  }

  /** Starts the waiting tasks on a later turn; tasks registered after that wait for the next one. */
  private release(later: Later): void {
    if (this.startWaiting === undefined || this.state & RELEASING) return
    this.state |= RELEASING
    later(startWaiting, this)
  }

  /** Starts every task waiting for delivery (through their reactions). */
  startWaitingTasks(): void {
    const start = this.startWaiting!
    this.waiting = this.startWaiting = undefined
    this.state &= ~RELEASING
    start(DELIVERY_KINDS[this.state >> KIND_SHIFT]!)
  }
}

// Module-level, called with the context as their argument: no closure per request.
function checkDeadline(context: { armDeadline(): void }): void {
  context.armDeadline()
}
function deadlineReached(context: { deadlineReached(): void }): void {
  context.deadlineReached()
}
/** A deadline alone must not keep a process alive that has nothing else to do. */
function unref<T>(timer: T): T {
  ;(timer as { unref?: () => void }).unref?.()
  return timer
}
function startWaiting(context: { startWaitingTasks(): void }): void {
  context.startWaitingTasks()
}
