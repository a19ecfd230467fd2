import { hasAsyncContext, noteAsyncContextOff, runInRequest } from '../async-context.ts'
import { RequestContext, type WatchDelivery } from '../context.ts'
import { batched, type Later } from '../macrotask.ts'
import { Supervisor, type DrainResult } from '../supervisor.ts'
import type { SubscribeOptions, TaskEvent, TaskSource, WaitUntilContext } from '../types.ts'
import type { HostConfig } from './options.ts'
import { BodyWatch } from './body-watch.ts'
import { trackClose } from './signals.ts'

/**
 * The runtime-free half of every `handle()` and `serve()` (and, without admission,
 * `worker()`): admission, one context per request made current for the handler, durable
 * tasks persisted before the response leaves, and the drain on close.
 */
// Env is the user's; the host only passes it through.
type Env = any

export class Host implements TaskSource {
  readonly supervisor: Supervisor
  private refusing = false
  private closing: Promise<DrainResult> | undefined

  constructor(
    readonly config: HostConfig<Env>,
    /** How released tasks reach a later turn: batched on servers; workerd must not share timers. */
    later: Later = batched(),
  ) {
    this.supervisor = new Supervisor(config.report, later)
    if (!config.asyncContext) noteAsyncContextOff()
  }

  get pending(): number {
    return this.supervisor.pending
  }

  subscribe(listener: (event: TaskEvent) => void, options?: SubscribeOptions): () => void {
    return this.supervisor.subscribe(listener, options)
  }

  /**
   * Answers one request whose delivery the runtime reports through `watch(source)`.
   * Refuses at the door (its handler never runs, so none of its tasks exist) when
   * closing or when too much work is pending: memory stays bounded and nothing
   * already accepted is dropped.
   */
  handle<Source>(request: Request, env: Env, watch: WatchDelivery<Source>, source: Source): Response | Promise<Response> {
    if (this.refusing || this.supervisor.pending >= this.config.maxPendingTasks) return this.refuse()
    return this.run(request, env, new RequestContext(this.supervisor, request, watch, source))
  }

  /**
   * Answers one request whose delivery is seen through its body (see BodyWatch): Bun and
   * workerd, which report none; a fetch handler driven without the runtime's bindings;
   * Deno, whose `completed` (given here) settles before a large body is written.
   * `platform` is the runtime's own context, which then keeps every task alive.
   */
  handleWatchingBody(request: Request, env: Env, platform?: WaitUntilContext, completed?: Promise<unknown>): Response | Promise<Response> {
    if (this.refusing || this.supervisor.pending >= this.config.maxPendingTasks) return this.refuse()
    const watch = new BodyWatch(completed, request.method === 'HEAD')
    const context = new RequestContext(this.supervisor, request, BodyWatch.watch, watch, platform)
    let result: Response | Promise<Response>
    try {
      result = this.run(request, env, context)
    } catch (error) {
      watch.threw()
      throw error
    }
    if (!(result instanceof Promise)) return watch.returnedWith(result)
    return result.then(
      (response) => watch.returnedWith(response),
      (error: unknown) => {
        watch.threw()
        throw error
      },
    )
  }

  /**
   * For middlewares (finish-request/hono, /express, /fastify), where the framework runs
   * the handler: the 503 to answer instead when a request is not admitted, else undefined.
   */
  refusal(): Response | undefined {
    return this.refusing || this.supervisor.pending >= this.config.maxPendingTasks ? this.refuse() : undefined
  }

  /**
   * For middlewares: runs `fn(...args)` (the rest of the framework's chain) as the
   * handler of `context`'s request, so code at any depth finds it.
   */
  enter<A extends unknown[], R>(context: RequestContext<unknown, any>, fn: (...args: A) => R, ...args: A): R {
    return this.config.asyncContext ? runInRequest(context, fn, ...args) : fn(...args)
  }

  private run(request: Request, env: Env, context: RequestContext<unknown, any>): Response | Promise<Response> {
    const { fetch } = this.config
    const result =
      this.config.asyncContext && hasAsyncContext()
        ? runInRequest(context, fetch, request, env, context)
        : fetch(markHosted(request), env, context)
    return this.afterPersisted(context, result)
  }

  /** A durable task registered during the request is persisted before its response leaves. */
  afterPersisted(context: RequestContext<unknown, any>, result: Response | Promise<Response>): Response | Promise<Response> {
    if (result instanceof Promise) return result.then((response) => this.afterPersisted(context, response))
    const persisted = context.persisted()
    if (persisted === undefined) return result
    return persisted.then((refused) => (refused ? this.refuse('A durable task could not be queued; try again\n') : result))
  }

  private refuse(why = this.refusing ? 'Server is shutting down\n' : 'Too many pending tasks\n'): Response {
    const headers: Record<string, string> = { 'retry-after': '1' }
    if (this.refusing) headers.connection = 'close'
    return new Response(why, { status: 503, headers })
  }

  /**
   * Refuses new requests, lets `stopServer` finish in-flight responses, drains tasks
   * (including ones registered meanwhile) until `gracePeriod`, abandons the rest, then
   * runs `onShutdown` with what is left. Once: later calls get the same promise.
   */
  close(stopServer?: { stop(): Promise<void>; forceStop(): void }): Promise<DrainResult> {
    if (this.closing) return this.closing
    this.closing = (async () => {
      this.refusing = true
      const { supervisor } = this
      // First, so that watchers end their open streams before stop() waits for them.
      supervisor.announceClosing()
      const before = { completed: supervisor.completed, abandoned: supervisor.abandoned }
      const deadline = performance.now() + this.config.gracePeriod
      if (stopServer) {
        await untilDeadline(stopServer.stop(), deadline, 'stopping the server')
        stopServer.forceStop()
      }
      await supervisor.drain(deadline)
      await this.shutdownHook(deadline, supervisor.abandoned > before.abandoned)
      return {
        completed: supervisor.completed - before.completed,
        abandoned: supervisor.abandoned - before.abandoned,
      }
    })()
    trackClose(this.closing)
    return this.closing
  }

  /** A second signal during close: abandon (and so report) what is left, now. */
  abandonNow(): void {
    this.supervisor.abandonAll()
  }

  private async shutdownHook(deadline: number, abandoned: boolean): Promise<void> {
    const hook = this.config.onShutdown
    if (!hook) return
    const controller = new AbortController()
    const over = (): void => controller.abort(new DOMException('gracePeriod is over', 'TimeoutError'))
    const remaining = deadline - performance.now()
    // Past the deadline (tasks were abandoned), the hook learns it at once from its signal.
    if (abandoned || remaining <= 0) over()
    const timer = controller.signal.aborted ? undefined : setTimeout(over, remaining)
    try {
      await untilDeadline(Promise.resolve().then(() => hook(controller.signal)), deadline, 'onShutdown')
    } finally {
      clearTimeout(timer)
    }
  }
}

const HOSTED = Symbol.for('finish-request.hosted')

/**
 * Whether one of our hosts (serve, handle, worker) running without the request context
 * passes `request` on, for a middleware in its app, which then has nothing to add. (With
 * the context on, the middleware finds it current, and the host's ctx on the request.)
 */
export function markedHosted(request: Request): boolean {
  return HOSTED in request
}

function markHosted(request: Request): Request {
  ;(request as Request & { [HOSTED]?: true })[HOSTED] = true
  return request
}

/** Waits for `work` (a failure is logged, not thrown) until `deadline`, a `performance.now()` time. */
async function untilDeadline(work: Promise<unknown>, deadline: number, step: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const wait = Math.max(0, deadline - performance.now())
  await Promise.race([
    work.then(undefined, (error: unknown) => console.error(`[finish-request] ${step} failed:`, error)),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, wait))),
  ])
  clearTimeout(timer)
}
