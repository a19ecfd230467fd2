import type { Context, MiddlewareHandler } from 'hono'
import { currentRequest, useAsyncLocalStorage, type AsyncLocalStorageClass } from '../src/async-context.ts'
import { RequestContext } from '../src/context.ts'
import { hostLater } from '../src/macrotask.ts'
import { platformRequestContext } from '../src/platform-context.ts'
import { Adoption, type FinishRequestControl, type FinishRequestOptions } from '../src/host/adoption.ts'
import { BodyWatch } from '../src/host/body-watch.ts'
import { markedHosted } from '../src/host/host.ts'
import { isOutgoing, watchOutgoing } from '../src/host/outgoing.ts'
import type { WaitUntilContext } from '../src/types.ts'
import { fail } from '../src/validate.ts'

export type { FinishRequestControl }
export type { DrainResult } from '../src/supervisor.ts'

export interface HonoFinishRequestOptions extends FinishRequestOptions {
  /**
   * For `after(task)` without ctx on Workers under the `nodejs_als` flag alone: pass
   * `AsyncLocalStorage` from `node:async_hooks`. Node, Bun, Deno and Workers with
   * `nodejs_compat` need nothing.
   */
  asyncLocalStorage?: AsyncLocalStorageClass
}
export type { HonoFinishRequestOptions as FinishRequestOptions }

/** `app.use(finishRequest())`: a Hono middleware that is also a task source to drain or watch. */
export type FinishRequestMiddleware = MiddlewareHandler & FinishRequestControl

/** Deno's `ServeHandlerInfo`, which `Deno.serve(app.fetch)` passes as `c.env`. */
interface ServeInfo {
  completed: Promise<void>
}

/**
 * Makes `respond(response, task)`, `after(task)` and `c.executionCtx.waitUntil()` work
 * in an unchanged Hono app, on the server or platform it already runs on. Each request
 * gets its own context with the best delivery signal there is: the response's `close`
 * under @hono/node-server; elsewhere the body, read to its end by the runtime (and, under
 * `Deno.serve`, `info.completed` too). On Workers, Netlify and Vercel every task is also
 * handed to the platform's own `waitUntil`, which keeps the instance alive for it.
 */
export function finishRequest(options?: HonoFinishRequestOptions): FinishRequestMiddleware {
  const call = 'finishRequest(options)'
  const { asyncLocalStorage, ...rest } = options ?? {}
  if (asyncLocalStorage !== undefined) {
    if (typeof asyncLocalStorage !== 'function') fail(call, 'options.asyncLocalStorage must be the AsyncLocalStorage class of node:async_hooks', asyncLocalStorage)
    useAsyncLocalStorage(asyncLocalStorage)
  }
  const adoption = new Adoption(call, options === undefined ? undefined : rest, hostLater())
  const { host } = adoption

  const middleware: MiddlewareHandler = async (c, next) => {
    // Served by serve(), handle() or worker(): that host already gives all of this.
    if (markedHosted(c.req.raw)) return next()
    const env = c.env as ServerEnv | undefined
    // Outside any request of ours, a server known to pass no ctx has none to read.
    const given = currentRequest() === undefined && passesNoContext(env) ? undefined : executionContextOf(c)
    if (given instanceof RequestContext) return next()
    const refused = host.refusal()
    if (refused) return refused

    const platform = given ?? netlifyContext(env) ?? platformRequestContext()
    // hono/aws-lambda passes lambdaContext: Lambda owns that process, with no waitUntil to hand tasks to.
    if (platform === undefined && env?.lambdaContext === undefined) adoption.ownProcess()
    let watch: BodyWatch | undefined
    let context: RequestContext<unknown, any>
    if (isOutgoing(env?.outgoing)) {
      context = new RequestContext(host.supervisor, c.req.raw, watchOutgoing, env.outgoing, platform)
    } else {
      // Deno's completed settles once a large body is handed over, not written: the body tells too.
      watch = new BodyWatch(isServeInfo(env) ? env.completed : undefined, c.req.method === 'HEAD')
      context = new RequestContext(host.supervisor, c.req.raw, BodyWatch.watch, watch, platform)
    }
    // Hono's executionCtx is a getter that throws without one: an own property shadows it.
    Object.defineProperty(c, 'executionCtx', { value: context, configurable: true, enumerable: true })

    adoption.begin()
    try {
      await host.enter(context, next)
      // Durable tasks registered during the request are persisted before its response leaves.
      const persisted = host.afterPersisted(context, c.res)
      // Most requests persist nothing: no extra turn for them.
      let response = persisted instanceof Promise ? await persisted : persisted
      if (watch) response = watch.returnedWith(response)
      if (response !== c.res) replaceResponse(c, response)
    } catch (error) {
      watch?.threw()
      throw error
    } finally {
      adoption.end()
    }
  }
  return adoption.control(middleware)
}

/** `c.env` as the servers and platforms Hono runs on pass it. */
interface ServerEnv {
  outgoing?: unknown
  context?: Partial<WaitUntilContext>
  completed?: unknown
  lambdaContext?: unknown
  requestIP?: unknown
  upgrade?: unknown
}

/**
 * Servers that call `app.fetch(request, env)` with no ExecutionContext, known by their
 * env: @hono/node-server (`outgoing`), `Deno.serve` (`completed`), `Bun.serve` (the
 * server), hono/aws-lambda (`lambdaContext`). Hono's getter would throw for each request.
 */
function passesNoContext(env: ServerEnv | undefined): boolean {
  if (env === null || typeof env !== 'object') return false
  return (
    isOutgoing(env.outgoing) ||
    isServeInfo(env) ||
    env.lambdaContext !== undefined ||
    (typeof env.requestIP === 'function' && typeof env.upgrade === 'function')
  )
}

/**
 * Hono's own ExecutionContext when the runtime passed one (Workers, or our own hosts), else
 * undefined. Hono's getter throws without one, which is every request on Node, Bun and
 * Deno (those are told apart by their env first, see passesNoContext); the Error's
 * stack trace cost more than the rest of the middleware (0.53× the throughput of
 * `serve()` on Node 24), so the read runs with stack traces off.
 */
function executionContextOf(c: Context): (WaitUntilContext & object) | undefined {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    return c.executionCtx
  } catch {
    return undefined
  } finally {
    Error.stackTraceLimit = limit
  }
}

/** `hono/netlify` passes Netlify's context as `c.env.context`; it has `waitUntil`. */
function netlifyContext(env: { context?: Partial<WaitUntilContext> } | undefined): WaitUntilContext | undefined {
  const context = env?.context
  return typeof context?.waitUntil === 'function' ? (context as WaitUntilContext) : undefined
}

function isServeInfo(env: unknown): env is ServeInfo {
  return env !== null && typeof env === 'object' && (env as { completed?: unknown }).completed instanceof Promise
}

/**
 * Setting `c.res` over an existing response copies the old one's headers onto the new
 * one (Hono's rule for middlewares): a 503 must not inherit the refused response's
 * Content-Length, and a wrapped body keeps its own headers already. Clear it first.
 */
function replaceResponse(c: Context, response: Response): void {
  c.res = undefined
  c.res = response
}
