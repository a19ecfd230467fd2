// The ways of getting background work done that the benchmark compares. The app and
// the work are the same for all; only these lines differ.
import { after, respond } from 'finish-request'
import type { Schedule, Task } from './app.ts'

/** The floor: no background work at all. */
export const none: Schedule = (_c, response) => response

/** Naive: do the work, then answer. */
export const naive: Schedule = async (_c, response, task) => {
  await task()
  return response
}

/**
 * The idiomatic peer usage, `ctx.waitUntil(work())`: the work starts when it is called,
 * i.e. before the response is written, exactly as the peers' docs show it.
 */
export const waitUntil: Schedule = (c, response, task) => {
  c.executionCtx.waitUntil(run(task))
  return response
}
async function run(task: Task): Promise<void> {
  await task()
}

/** finish-request: the task starts once the response has been delivered. */
export const afterResponse: Schedule = (c, response, task) => respond(c.executionCtx, response, task)

/**
 * finish-request without ctx: `after(task)` finds the request through its context (the
 * per-request AsyncLocalStorage of issue 9), as code deep below a handler would.
 */
export const afterAnywhere: Schedule = (_c, response, task) => {
  after(task)
  return response
}

/**
 * The control of P1/P2: the same work started by a bare timer once the handler has
 * returned, no library. What it costs is the price of running the work in the server's
 * process at all; what finish-request costs beyond it is the library's.
 */
export const timer: Schedule = (c, response, task) => {
  const started = new Promise<void>((resolve) =>
    setTimeout(() => {
      void run(task).finally(resolve)
    }, 0),
  )
  // On workerd the isolate must be told to stay up for it; elsewhere Hono has no ctx.
  executionCtxOf(c)?.waitUntil(started)
  return response
}
function executionCtxOf(c: Parameters<Schedule>[0]): { waitUntil(promise: Promise<unknown>): void } | undefined {
  try {
    return c.executionCtx
  } catch {
    return undefined // Hono throws when the server passed none
  }
}

/** P4's reference: start the work and keep nothing but its pending promise. */
export const detached: Schedule = (_c, response, task) => {
  void task()
  return response
}
