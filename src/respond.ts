import { asyncContextTurnedOff, currentRequest, hasAsyncContext } from './async-context.ts'
import { deliveredByPlatform, RequestContext } from './context.ts'
import { isDurable, type DurableTask } from './durable.ts'
import { platformRequestContext } from './platform-context.ts'
import { Supervisor } from './supervisor.ts'
import type { Task, TaskOptions, WaitUntilContext } from './types.ts'
import { checkTask, checkTaskOptions, fail, isThenable } from './validate.ts'

/**
 * What `respond()` and `after()` run: a function, a durable job (`finish-request/bullmq`,
 * Queues), or a promise already running (Next.js's `after(promise)`), which is tracked,
 * reported and drained like a task.
 */
export type TaskLike = Task | DurableTask | PromiseLike<unknown>

let foreignSupervisor: Supervisor | undefined
const foreignContexts = new WeakMap<object, RequestContext>()

/**
 * Any other context (a Workers ctx not served through `worker()`, a hand-made
 * `{ waitUntil }`): tasks go through the same runner, reported with the default
 * stderr line, and each is handed to that context's own waitUntil.
 */
function adopt(call: string, ctx: unknown): RequestContext {
  if (ctx instanceof RequestContext) return ctx
  if (ctx === null || typeof ctx !== 'object' || typeof (ctx as WaitUntilContext).waitUntil !== 'function') {
    fail(call, 'ctx must be an ExecutionContext with a waitUntil(promise) method', ctx)
  }
  let adopted = foreignContexts.get(ctx)
  if (adopted === undefined) {
    foreignSupervisor ??= new Supervisor()
    // Nothing tells us when a foreign response leaves: start a macrotask after registration.
    adopted = new RequestContext<unknown, unknown>(foreignSupervisor, undefined, deliveredByPlatform, undefined, ctx as WaitUntilContext)
    foreignContexts.set(ctx, adopted)
  }
  return adopted
}

/**
 * The ctx-free forms: the request being handled, found through AsyncLocalStorage, else
 * the request context a platform publishes (Vercel, Next.js), whose waitUntil then
 * keeps each task alive.
 */
function current(call: string, form: string): RequestContext {
  const context = currentRequest()
  if (context) return context
  const platform = platformRequestContext()
  if (platform) return adopt(call, platform)
  if (!hasAsyncContext()) {
    throw new TypeError(
      `${call}: AsyncLocalStorage is not available here, so the current request cannot be found: ` +
        `pass ctx (${form}), or on Cloudflare Workers enable the nodejs_compat compatibility flag ` +
        '(compatibility date 2024-09-23 or later), or with nodejs_als pass { asyncLocalStorage: AsyncLocalStorage } to worker() or finishRequest()',
    )
  }
  const off = asyncContextTurnedOff() ? ' (a server in this process was started with asyncContext: false, which turns the ctx-free forms off for its requests)' : ''
  throw new TypeError(
    `${call}: no request is being handled here${off}: pass ctx (${form}), or call it while a request ` +
      'served by serve(), handle(), worker() or a finishRequest() middleware from finish-request is being handled',
  )
}

// Node may hold two Response classes (undici's and @hono/node-server's lighter one),
// so fall back to the brand every Fetch implementation sets.
function isResponse(value: unknown): value is Response {
  return value instanceof Response || Object.prototype.toString.call(value) === '[object Response]'
}

function schedule(call: string, context: RequestContext, task: unknown, options: unknown): void {
  if (Array.isArray(task)) task.forEach((t, i) => checkTask(call, `task[${i}]`, t))
  else checkTask(call, 'task', task)
  checkTaskOptions(call, options)
  if (Array.isArray(task)) for (const t of task) scheduleOne(context, t, options as TaskOptions | undefined)
  else scheduleOne(context, task as TaskLike, options as TaskOptions | undefined)
}

function scheduleOne(context: RequestContext, task: TaskLike, options: TaskOptions | undefined): void {
  if (isThenable(task)) context.track(task, options?.name || 'promise', options?.timeout)
  else context.schedule(task, options)
}

/**
 * Returns `response` unchanged and runs `task` (or each task of an array) after it has
 * been delivered to the client, like PHP's `fastcgi_finish_request()`. Generic, so
 * Hono's typed responses (`c.json(...)`) keep their type for RPC clients. Without
 * `ctx`, the request being handled is found through AsyncLocalStorage.
 */
export function respond<R extends Response>(response: R, task: TaskLike | readonly TaskLike[], options?: TaskOptions): R
export function respond<R extends Response>(
  ctx: WaitUntilContext,
  response: R,
  task: TaskLike | readonly TaskLike[],
  options?: TaskOptions,
): R
export function respond(first: unknown, second: unknown, third?: unknown, fourth?: unknown): Response {
  if (!(first instanceof RequestContext) && isResponse(first)) {
    const call = 'respond(response, task)'
    if (isContextLike(second)) wrongOrder(call, 'respond(response, ctx, task)', 'respond(ctx, response, task), or leave ctx out: respond(response, task)')
    schedule(call, current(call, 'respond(ctx, response, task)'), second, third)
    return first
  }
  const call = 'respond(ctx, response, task)'
  if (!isContextLike(first)) misplacedContext(call, first, second)
  const context = adopt(call, first)
  if (!isResponse(second)) {
    if (isResponse(third)) wrongOrder(call, 'respond(ctx, task, response)', 'respond(ctx, response, task)')
    fail(call, `response must be a Response${awaitHint(second)}`, second)
  }
  schedule(call, context, third, fourth)
  return second
}

/**
 * Runs `task` after the current request's response has been delivered: from anywhere
 * in a handler, a service it calls, or a task. Without `ctx`, the request is found
 * through AsyncLocalStorage.
 */
export function after(task: TaskLike, options?: TaskOptions): void
export function after(ctx: WaitUntilContext, task: TaskLike, options?: TaskOptions): void
export function after(first: unknown, second?: unknown, third?: unknown): void {
  if (typeof first === 'function' || isDurable(first) || isThenable(first)) {
    const call = 'after(task)'
    if (isContextLike(second)) wrongOrder(call, 'after(task, ctx)', 'after(ctx, task), or leave ctx out: after(task)')
    schedule(call, current(call, 'after(ctx, task)'), first, second)
    return
  }
  const call = 'after(ctx, task)'
  if (!isContextLike(first)) misplacedContext(call, first, second)
  const context = adopt(call, first)
  if (typeof second !== 'function' && !isDurable(second)) {
    if (isResponse(second)) fail(call, NO_RESPONSE, second)
    if (Array.isArray(second)) fail(call, 'task must be a function, a promise or a durable task', second)
  }
  schedule(call, context, second, third)
}

// The usual mistakes, each named for what it is: a generic "ctx must be…, got function"
// sends the user looking in the wrong place. Only reached once a call is already wrong.

const NO_RESPONSE = 'after() takes no response: to send one and run a task once it is delivered, use respond(response, task)'

function isContextLike(value: unknown): boolean {
  return value !== null && typeof value === 'object' && typeof (value as WaitUntilContext).waitUntil === 'function'
}

function wrongOrder(call: string, written: string, meant: string): never {
  throw new TypeError(`${call}: arguments in the wrong order, as in ${written}: write ${meant}`)
}

/** A Response that is still a Promise: `respond(ctx, c.req.json().then(...), task)`, `fetch(...)` without await. */
function awaitHint(value: unknown): string {
  return isThenable(value) ? ' (did you forget await?)' : ''
}

/** The first argument of a ctx form is not a ctx: say what it is instead. */
function misplacedContext(call: string, first: unknown, second: unknown): never {
  const form = call.startsWith('after') ? 'after' : 'respond'
  if (form === 'after' && isResponse(first)) fail(call, NO_RESPONSE, first)
  if (typeof first === 'function' || isDurable(first)) {
    if (isResponse(second)) wrongOrder(call, 'respond(task, response)', 'respond(response, task), or respond(ctx, response, task)')
    wrongOrder(call, `${form}(task, …)`, `${form}(ctx, …) with the task after it`)
  }
  if (isThenable(first) && form === 'respond') fail('respond(response, task)', 'response must be a Response (did you forget await?)', first)
  // Hono's Context holds the ctx; it is not one.
  if (first !== null && typeof first === 'object' && 'executionCtx' in first) {
    fail(call, 'ctx must be an ExecutionContext: pass c.executionCtx, not c', first)
  }
  fail(call, 'ctx must be an ExecutionContext with a waitUntil(promise) method', first)
}
