import type { TaskReport } from './types.ts'

/** The default `onError`: one line on stderr, enough to find the task and the request. */
export function logTaskError(error: Error, report: TaskReport): void {
  const where = report.request.url ? ` (${report.request.method} ${report.request.url})` : ''
  const message = `${error.name}: ${error.message}`.replace(/\s*\n\s*/g, ' ')
  console.error(`[finish-request] task "${report.name}" ${report.status} after ${Math.round(report.durationMs)} ms${where}: ${message}`)
}

/** A user callback that throws must not take the process down with it. */
export function callSafely<A extends unknown[]>(fn: (...args: A) => void, ...args: A): void {
  try {
    const result = fn(...args) as unknown
    if (result && typeof (result as PromiseLike<unknown>).then === 'function') {
      ;(result as Promise<unknown>).then(undefined, reportCallbackError)
    }
  } catch (error) {
    reportCallbackError(error)
  }
}

function reportCallbackError(error: unknown): void {
  console.error('[finish-request] onError/onTaskEnd threw:', error)
}
