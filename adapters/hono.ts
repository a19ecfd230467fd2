import type { Context, MiddlewareHandler } from 'hono'
import { RequestContext, type Delivery, type WatchDelivery } from '../src/context.ts'
import { batched, macrotask } from '../src/macrotask.ts'
import { platformRequestContext } from '../src/platform-context.ts'
import { Adoption, type FinishRequestControl, type FinishRequestOptions } from '../src/host/adoption.ts'
import { asyncHooksSettled, loadAsyncHooks } from '../src/host/async-hooks.ts'
import { isOutgoing, watchOutgoing } from '../src/host/outgoing.ts'
import { ReturnGate } from '../src/host/return-gate.ts'
import type { WaitUntilContext } from '../src/types.ts'

export type { FinishRequestControl, FinishRequestOptions }
export type { DrainResult } from '../src/supervisor.ts'

/** `app.use(finishRequest())`: a Hono middleware that is also a task source to drain or watch. */
export type FinishRequestMiddleware = MiddlewareHandler & FinishRequestControl

/** Deno's `ServeHandlerInfo`, which `Deno.serve(app.fetch)` passes as `c.env`. */
interface ServeInfo {
  completed: PromiseLike<void>
}

/**
 * Makes `respond(response, task)`, `after(task)` and `c.executionCtx.waitUntil()` work
 * in an unchanged Hono app, on the server or platform it already runs on. Each request
 * gets its own context with the best delivery signal there is: the response's `close`
 * under @hono/node-server, `info.completed` under `Deno.serve`, the returned (or, if
 * streamed, fully read) body on Bun; on Workers, Netlify and Vercel every task is also
 * handed to the platform's own `waitUntil`, which keeps the isolate alive for it.
 */
export function finishRequest(options?: FinishRequestOptions): FinishRequestMiddleware {
  const call = 'finishRequest(options)'
  // workerd runs a timer in the request that set it: one request must never release another's tasks.
  const onWorkerd = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent === 'Cloudflare-Workers'
  const adoption = new Adoption(call, options, onWorkerd ? macrotask : batched())
  const { host } = adoption

  const middleware: MiddlewareHandler = async (c, next) => {
    const given = executionContextOf(c)
    // Served by serve(), handle() or worker(): that host already gives all of this.
    if (given instanceof RequestContext) return next()
    if (!asyncHooksSettled()) await loadAsyncHooks()
    const refused = host.refusal()
    if (refused) return refused

    const env = c.env as { outgoing?: unknown; context?: Partial<WaitUntilContext>; completed?: unknown; lambdaContext?: unknown } | undefined
    const platform = given ?? netlifyContext(env) ?? platformRequestContext()
    // hono/aws-lambda passes lambdaContext: Lambda owns that process, with no waitUntil to hand tasks to.
    if (platform === undefined && env?.lambdaContext === undefined) adoption.ownProcess()
    let gate: ReturnGate | undefined
    let context: RequestContext<unknown, any>
    if (isOutgoing(env?.outgoing)) {
      context = new RequestContext(host.supervisor, c.req.raw, watchOutgoing, env.outgoing, platform)
    } else if (isServeInfo(env)) {
      context = new RequestContext(host.supervisor, c.req.raw, watchCompleted, env, platform)
    } else {
      gate = new ReturnGate()
      context = new RequestContext(host.supervisor, c.req.raw, ReturnGate.watch, gate, platform)
    }
    // Hono's executionCtx is a getter that throws without one: an own property shadows it.
    Object.defineProperty(c, 'executionCtx', { value: context, configurable: true, enumerable: true })

    adoption.begin()
    try {
      await host.enter(context, next)
      // Durable tasks registered during the request are persisted before its response leaves.
      let response = await host.afterPersisted(context, c.res)
      if (gate) response = gate.returnedWith(response)
      if (response !== c.res) replaceResponse(c, response)
    } catch (error) {
      gate?.threw()
      throw error
    } finally {
      adoption.end()
    }
  }
  return adoption.control(middleware)
}

/** Hono's own ExecutionContext when the runtime passed one (Workers, or our own hosts), else undefined. */
function executionContextOf(c: Context): (WaitUntilContext & object) | undefined {
  try {
    return c.executionCtx
  } catch {
    return undefined
  }
}

/** `hono/netlify` passes Netlify's context as `c.env.context`; it has `waitUntil`. */
function netlifyContext(env: { context?: Partial<WaitUntilContext> } | undefined): WaitUntilContext | undefined {
  const context = env?.context
  return typeof context?.waitUntil === 'function' ? (context as WaitUntilContext) : undefined
}

function isServeInfo(env: unknown): env is ServeInfo {
  return env !== null && typeof env === 'object' && typeof (env as { completed?: PromiseLike<void> }).completed?.then === 'function'
}

/** `completed` settles when the response is done, sent or failed. */
const watchCompleted: WatchDelivery<ServeInfo> = (info, delivery: Delivery) => {
  const delivered = (): void => delivery.delivered()
  info.completed.then(delivered, delivered)
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
