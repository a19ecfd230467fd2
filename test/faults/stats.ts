// The server's own view (GET /stats, see app.ts and probe.ts).
import type { Served } from '../conformance/harness.ts'
import { json } from './client.ts'

export interface Stats {
  reports: number
  onError: number
  unhandledRejection: number
  uncaughtException: number
  byStatus: Record<string, number>
  byName: Record<string, number>
  pending: number
  /** Lowest `pending` right after a report, since the start: never below zero. */
  minPending: number
  /** Highest `pending` since GET /stats/reset-peaks, sampled every 5 ms. */
  peakPending: number
  memory: { collected: boolean; rss: number; heapUsed: number; peakRss: number }
}

export const stats = (served: Served): Promise<Stats> => json<Stats>(`${served.url}stats`)
