// What the fault server knows about itself, runtime-free: the ledger it writes, the
// reports it got, process-level failures it counted, and its memory. GET /stats
// (app.ts) hands these to the test.
import { requestStore } from './request-store.ts'
import { appendFileSync } from 'node:fs'
import { setInterval } from 'node:timers'
import type { TaskReport } from 'finish-request'

const ledgerFile = process.env.LEDGER
const now = () => performance.timeOrigin + performance.now()

/**
 * One JSON line on stdout (what the conformance harness parses) and, when LEDGER
 * names a file, the same line appended to it synchronously: that file is the record
 * that survives the process exiting right after a SIGTERM drain.
 */
export function ledger(type: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ type, at: now(), ...fields })
  console.log(line)
  if (ledgerFile) appendFileSync(ledgerFile, line + '\n')
}

/** R2 and R5 make 10 000 reports each: counting them is enough, a line each would only slow the run. */
const quietReports = process.env.QUIET_REPORTS === '1'

export const counts = {
  reports: 0,
  onError: 0,
  unhandledRejection: 0,
  uncaughtException: 0,
  byStatus: { ok: 0, error: 0, timeout: 0, abandoned: 0 } as Record<string, number>,
  /** Names are per kind of task, so this stays small. */
  byName: {} as Record<string, number>,
}

/** Pass as `onTaskEnd`: counts every report and writes it to the ledger. */
export function onTaskEnd(report: TaskReport): void {
  counts.reports++
  counts.byStatus[report.status] = (counts.byStatus[report.status] ?? 0) + 1
  const kind = report.name.split(':')[0]
  counts.byName[kind] = (counts.byName[kind] ?? 0) + 1
  if (quietReports) return
  ledger('report', {
    id: idOf(report.request.url),
    name: report.name,
    status: report.status,
    error: report.error && { name: report.error.name, message: report.error.message },
    // The reporter runs in the registering request's async context.
    store: requestStore.getStore(),
  })
}

/** Pass as `onError`: counted instead of the default stderr line, which a storm would flood. */
export function onError(): void {
  counts.onError++
}

function idOf(url: string): string | undefined {
  return new URL(url || 'http://x/').searchParams.get('id') ?? undefined
}

/** Counts (rather than crashes on) what no task may ever cause. */
export function watchProcess(): void {
  process.on('unhandledRejection', (error) => {
    counts.unhandledRejection++
    console.error('unhandledRejection:', error)
  })
  process.on('uncaughtException', (error) => {
    counts.uncaughtException++
    console.error('uncaughtException:', error)
  })
}

/** The running server, for its `pending` count. */
let server: { readonly pending: number } | undefined
export function attach(served: { readonly pending: number }): void {
  server = served
}
export const pending = (): number => server?.pending ?? -1

declare const Bun: { gc(force: boolean): void } | undefined

/** A full collection where the runtime allows one (node --expose-gc, Bun, deno --v8-flags=--expose-gc). */
export function collect(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc
  if (typeof gc === 'function') {
    gc()
    return true
  }
  if (typeof Bun !== 'undefined') {
    Bun.gc(true)
    return true
  }
  return false
}

/**
 * Highest RSS and pending count seen since the last reset, sampled every 5 ms so a
 * short peak is not missed.
 */
const peak = { rss: 0, pending: 0 }
setInterval(() => {
  peak.rss = Math.max(peak.rss, process.memoryUsage().rss)
  peak.pending = Math.max(peak.pending, pending())
}, 5).unref()

export function resetPeaks(): void {
  peak.rss = process.memoryUsage().rss
  peak.pending = pending()
}

export function memory() {
  const collected = collect()
  const { rss, heapUsed } = process.memoryUsage()
  peak.rss = Math.max(peak.rss, rss)
  return { collected, rss, heapUsed, peakRss: peak.rss }
}

export const peakPending = (): number => Math.max(peak.pending, pending())
