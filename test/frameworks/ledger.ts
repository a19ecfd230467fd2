// The JSON-line ledger every framework entry writes on stdout, in the format
// test/conformance/harness.ts reads. No framework, no Hono: only finish-request.
import type { TaskReport } from 'finish-request'

export const now = () => performance.timeOrigin + performance.now()
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export function record(type: string, fields: Record<string, unknown> = {}): void {
  console.log(JSON.stringify({ type, at: now(), ...fields }))
}

/** Pass as `onTaskEnd`: every report lands in the ledger, keyed by its request's `id`. */
export function recordReport(report: TaskReport): void {
  record('report', {
    id: new URL(report.request.url || 'http://x/').searchParams.get('id') ?? undefined,
    name: report.name,
    status: report.status,
    error: report.error && { name: report.error.name, message: report.error.message },
  })
}

/** Holds the thread, as CPU-heavy work would. */
export function busy(ms: number): void {
  const end = now() + ms
  while (now() < end);
}
