import type { TaskEvent, TaskReport, TaskStatus } from '../types.ts'

/** A report as JSON can carry it: the error reduced to what a page shows. */
export interface WireReport {
  name: string
  status: TaskStatus
  durationMs: number
  delivery: TaskReport['delivery']
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
  /** How its response's delivery was known, once it ended. */
  delivery?: TaskReport['delivery']
  done?: number
  total?: number
  error?: { name: string; message: string }
}

export function wireReport(report: TaskReport): WireReport {
  const wire: WireReport = {
    name: report.name,
    status: report.status,
    durationMs: report.durationMs,
    delivery: report.delivery,
    request: report.request,
  }
  if (report.error) wire.error = { name: report.error.name, message: report.error.message }
  if (report.job) wire.job = report.job
  return wire
}

/** Field by field, not `{ ...event, pending }`: a spread costs microseconds per event under a flood. */
export function wireEvent(event: TaskEvent, pending: number): WireEvent {
  switch (event.type) {
    case 'registered': {
      const wire: WireEvent = { type: 'registered', id: event.id, name: event.name, request: event.request, at: event.at, pending }
      if (event.job) wire.job = event.job
      return wire
    }
    case 'started':
      return { type: 'started', id: event.id, at: event.at, pending }
    case 'progress': {
      const wire: WireEvent = { type: 'progress', id: event.id, done: event.done, at: event.at, pending }
      if (event.total !== undefined) wire.total = event.total
      return wire
    }
    case 'ended':
      return { type: 'ended', id: event.id, report: wireReport(event.report), at: event.at, pending }
    case 'closing':
      return { type: 'closing', at: event.at, pending }
  }
}

/** One server-sent event frame. JSON never contains a raw newline, so one `data:` line is enough. */
export function frame(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`
}
