import type { App, FetchHandler, ReportOptions } from '../types.ts'
import { checkTelemetry } from '../telemetry.ts'
import { checkCallback, checkTimeout, fail } from '../validate.ts'

/** The one fetch function behind an app object or a bare function. */
export function fetchHandlerOf<Env>(call: string, app: App<Env>): FetchHandler<Env> {
  if (typeof app === 'function') return app
  if (app !== null && typeof app === 'object' && typeof app.fetch === 'function') return app.fetch.bind(app)
  fail(call, 'app must have a fetch(request, env, ctx) method or be a function', app)
}

/** Validates the reporting options every adapter shares. */
export function reportOptionsOf(call: string, options: unknown): ReportOptions {
  if (options === null || typeof options !== 'object') fail(call, 'options must be an object', options)
  const { onError, onTaskEnd, taskTimeout, deliveryTimeout, telemetry } = options as ReportOptions
  checkCallback(call, 'options.onError', onError)
  checkCallback(call, 'options.onTaskEnd', onTaskEnd)
  checkTimeout(call, 'options.deliveryTimeout', deliveryTimeout)
  return {
    onError,
    onTaskEnd,
    taskTimeout: checkTimeout(call, 'options.taskTimeout', taskTimeout),
    deliveryTimeout,
    telemetry: checkTelemetry(call, telemetry),
  }
}
