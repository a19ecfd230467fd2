import { deliverAtOnce, RequestContext } from './context.ts'
import { Supervisor } from './supervisor.ts'
import type { Task, TaskOptions, WaitUntilContext } from './types.ts'
import { type DurableTask } from './durable.ts'
import { checkTask, checkTaskOptions, fail } from './validate.ts'

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
    adopted = new RequestContext<unknown, unknown>(foreignSupervisor, undefined, deliverAtOnce, undefined, ctx as WaitUntilContext)
    foreignContexts.set(ctx, adopted)
  }
  return adopted
}

// Node may hold two Response classes (undici's and @hono/node-server's lighter one),
// so fall back to the brand every Fetch implementation sets.
function isResponse(value: unknown): value is Response {
  return value instanceof Response || Object.prototype.toString.call(value) === '[object Response]'
}

/**
 * Returns `response` unchanged and runs `task` after it has been delivered to the
 * client, like PHP's `fastcgi_finish_request()`. Generic, so Hono's typed responses
 * (`c.json(...)`) keep their type for RPC clients.
 */
export function respond<R extends Response>(
  ctx: WaitUntilContext,
  response: R,
  task: Task | DurableTask | ReadonlyArray<Task | DurableTask>,
  options?: TaskOptions,
): R {
  const call = 'respond(ctx, response, task)'
  const context = adopt(call, ctx)
  if (!isResponse(response)) fail(call, 'response must be a Response', response)
  const tasks = Array.isArray(task) ? (task as ReadonlyArray<Task | DurableTask>) : [task as Task | DurableTask]
  if (Array.isArray(task)) tasks.forEach((t, i) => checkTask(call, `task[${i}]`, t))
  else checkTask(call, 'task', task)
  checkTaskOptions(call, options)
  for (const t of tasks) context.schedule(t, options)
  return response
}

/** Runs `task` after the current request's response has been delivered. */
export function after(ctx: WaitUntilContext, task: Task | DurableTask, options?: TaskOptions): void {
  const call = 'after(ctx, task)'
  const context = adopt(call, ctx)
  checkTask(call, 'task', task)
  checkTaskOptions(call, options)
  context.schedule(task, options)
}

