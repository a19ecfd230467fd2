import { RequestContext, type WatchDelivery } from './context.ts'
import { batched } from './macrotask.ts'
import { Supervisor } from './supervisor.ts'
import { fetchHandlerOf, reportOptionsOf } from './app.ts'
import type { App, FetchHandler, ReportOptions } from './types.ts'
import { checkCount, fail } from './validate.ts'

/** Options of `serve()`, the same on Node, Bun and Deno. */
export interface ServeOptions<Env = unknown> extends ReportOptions {
  /** Default 3000; 0 picks a free port. */
  port?: number
  /** Default: the runtime's own (all interfaces on Node and Bun, 0.0.0.0 on Deno). */
  hostname?: string
  /** Passed to `fetch` as its second argument. Default `{}`. */
  env?: Env
  /** While this many tasks are pending, new requests get 503 + Retry-After. Default 10 000. */
  maxPendingTasks?: number
  /** On close, how long (ms) to wait for tasks before abandoning them. Default 25 000. */
  gracePeriod?: number
  /** Signals that close the server gracefully, then exit 0; `false` for none. */
  signals?: readonly string[] | false
}

const DEFAULTS = {
  port: 3000,
  maxPendingTasks: 10_000,
  gracePeriod: 25_000,
  signals: ['SIGINT', 'SIGTERM'] as readonly string[],
}

/** The runtime-free half of every `serve()`: admission, contexts, and the task supervisor. */
export class Host<Env = unknown> {
  readonly supervisor: Supervisor
  readonly maxPendingTasks: number
  readonly gracePeriod: number
  readonly signals: readonly string[]
  readonly port: number
  readonly hostname: string | undefined
  closing = false
  private readonly fetch: FetchHandler<Env>
  private readonly env: Env

  constructor(app: App<Env>, options: ServeOptions<Env> = {}) {
    const call = 'serve(app, options)'
    this.fetch = fetchHandlerOf(call, app)
    this.supervisor = new Supervisor(reportOptionsOf(call, options), batched())
    checkCount(call, 'options.port', options.port, 0)
    if (options.hostname !== undefined && typeof options.hostname !== 'string') {
      fail(call, 'options.hostname must be a string', options.hostname)
    }
    checkCount(call, 'options.maxPendingTasks', options.maxPendingTasks, 1)
    checkCount(call, 'options.gracePeriod', options.gracePeriod, 0)
    const signals = options.signals ?? DEFAULTS.signals
    if (signals !== false && (!Array.isArray(signals) || signals.some((s) => typeof s !== 'string'))) {
      fail(call, 'options.signals must be an array of signal names or false', signals)
    }
    this.port = options.port ?? DEFAULTS.port
    this.hostname = options.hostname
    this.env = options.env ?? ({} as Env)
    this.maxPendingTasks = options.maxPendingTasks ?? DEFAULTS.maxPendingTasks
    this.gracePeriod = options.gracePeriod ?? DEFAULTS.gracePeriod
    this.signals = signals || []
  }

  /**
   * Answers one request. Refuses at the door (its handler never runs, so none of its
   * tasks exist) when the server is closing or too much work is pending: that keeps
   * memory bounded without dropping anything already accepted.
   */
  handle<Source>(request: Request, watch: WatchDelivery<Source>, source: Source): Response | Promise<Response> {
    if (this.closing || this.supervisor.pending >= this.maxPendingTasks) return this.refuse()
    const context = new RequestContext(this.supervisor, request, watch, source)
    return this.afterPersisted(context, this.fetch(request, this.env, context))
  }

  /** A durable task registered during the request is persisted before its response leaves. */
  private afterPersisted(context: RequestContext<unknown, any>, result: Response | Promise<Response>): Response | Promise<Response> {
    if (result instanceof Promise) return result.then((response) => this.afterPersisted(context, response))
    const persisted = context.persisted()
    if (persisted === undefined) return result
    return persisted.then((refused) => (refused ? this.refuse() : result))
  }

  private refuse(): Response {
    const headers: Record<string, string> = { 'retry-after': '1' }
    if (this.closing) headers.connection = 'close'
    return new Response(this.closing ? 'Server is shutting down\n' : 'Too many pending tasks\n', {
      status: 503,
      headers,
    })
  }
}
