import type { TaskEvent, TaskReport, TaskStatus } from '../types.ts'

/** A report as JSON can carry it: the error reduced to what a page shows. */
export interface WireReport {
  name: string
  status: TaskStatus
  durationMs: number
  request: { method: string; url: string }
  error?: { name: string; message: string }
  job?: TaskReport['job']
}

/**
 * What `GET /events` sends, one JSON object per `data:` line. Task events are the
 * source's own, with the report made serialisable; every one carries `pending`.
 */
export type WireEvent =
  | (Exclude<TaskEvent, { type: 'ended' }> & { pending: number })
  | { type: 'ended'; id: number; report: WireReport; at: number; pending: number }
  | { type: 'snapshot'; pending: number; history: number; tasks: TaskEntry[]; at: number }

/** One task as the inspector knows it: the state the events have built up. */
export interface TaskEntry {
  id: number
  name: string
  method: string
  url: string
  /** `waiting` until it starts (its response is still on its way). */
  status: 'waiting' | 'running' | TaskStatus
  registeredAt: number
  startedAt?: number
  endedAt?: number
  durationMs?: number
  done?: number
  total?: number
  error?: { name: string; message: string }
}

export function wireReport(report: TaskReport): WireReport {
  const wire: WireReport = {
    name: report.name,
    status: report.status,
    durationMs: report.durationMs,
    request: report.request,
  }
  if (report.error) wire.error = { name: report.error.name, message: report.error.message }
  if (report.job) wire.job = report.job
  return wire
}

export function wireEvent(event: TaskEvent, pending: number): WireEvent {
  if (event.type === 'ended') return { type: 'ended', id: event.id, report: wireReport(event.report), at: event.at, pending }
  return { ...event, pending }
}

/** One server-sent event frame. JSON never contains a raw newline, so one `data:` line is enough. */
export function frame(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`
}
