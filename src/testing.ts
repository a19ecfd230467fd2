import { hasAsyncContext, runInRequest } from './async-context.ts'
import { deliverAtOnce, RequestContext } from './context.ts'
import { Supervisor } from './supervisor.ts'
import { checkTelemetry, type Telemetry } from './telemetry.ts'
import type { ExecutionContext, TaskReport } from './types.ts'
import { checkOptionNames, checkTimeout, fail, type OptionNames } from './validate.ts'

export interface TestContextOptions {
  /** Recorded as the reports' `request`. */
  request?: Request
  /** Default per-task timeout, as `taskTimeout` on a server. */
  taskTimeout?: number
  /** Spans and metrics for its tasks, as `telemetry` on a server (e.g. `otel()`). */
  telemetry?: Telemetry
}

const recorded = new WeakMap<ExecutionContext, { supervisor: Supervisor; reports: TaskReport[] }>()

/**
 * An ExecutionContext for unit tests, as in `cloudflare:test`. There is no response to
 * deliver, so tasks start one macrotask after they are registered. Failures are not
 * logged: they are in the reports `waitOnExecutionContext` returns.
 */
export function createExecutionContext(options: TestContextOptions = {}): ExecutionContext {
  if (options === null || typeof options !== 'object') fail('createExecutionContext(options)', 'options must be an object', options)
  checkOptionNames('createExecutionContext(options)', options, { request: true, taskTimeout: true, telemetry: true } satisfies OptionNames<TestContextOptions>)
  const reports: TaskReport[] = []
  const supervisor = new Supervisor({
    taskTimeout: checkTimeout('createExecutionContext(options)', 'options.taskTimeout', options.taskTimeout),
    telemetry: checkTelemetry('createExecutionContext(options)', options.telemetry),
    onError: () => {},
    onTaskEnd: (report) => reports.push(report),
  })
  const ctx = new RequestContext(supervisor, options.request, deliverAtOnce, undefined)
  recorded.set(ctx, { supervisor, reports })
  return ctx
}

/**
 * Resolves once every task of `ctx` has settled, including tasks that tasks
 * registered, with all reports so far in the order the tasks finished.
 */
export async function waitOnExecutionContext(ctx: ExecutionContext): Promise<TaskReport[]> {
  const entry = recorded.get(ctx)
  if (!entry) fail('waitOnExecutionContext(ctx)', 'ctx must come from createExecutionContext()', ctx)
  const { supervisor, reports } = entry
  while (supervisor.pending > 0) await supervisor.idle()
  return [...reports]
}

/**
 * Runs `fn` as if inside the request `ctx` belongs to: code it calls can use the
 * ctx-free forms (`after(task)`, `respond(response, task)`), and their tasks land in
 * `ctx`, so `waitOnExecutionContext(ctx)` returns their reports. Returns what `fn` returns.
 */
export function runInContext<R>(ctx: ExecutionContext, fn: () => R): R {
  const call = 'runInContext(ctx, fn)'
  if (!recorded.has(ctx)) fail(call, 'ctx must come from createExecutionContext()', ctx)
  if (typeof fn !== 'function') fail(call, 'fn must be a function', fn)
  if (!hasAsyncContext()) {
    throw new TypeError(`${call}: AsyncLocalStorage is not available here, so code cannot find ctx: pass ctx to it (after(ctx, task)) instead`)
  }
  return runInRequest(ctx as RequestContext, fn)
}
