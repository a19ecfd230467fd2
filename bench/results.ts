// What a run produces: one entry per server, medians over rounds, plus the machine.
import type { Config } from './config.ts'
import type { Role, Runtime } from './targets.ts'

export interface ServerResult {
  id: string
  label: string
  runtime: Runtime
  role: Role
  /** Why this server was not measured at all. */
  missing?: string
  /** Measurements that failed outright, by figure. */
  errors: Record<string, string>
  /** Non-200 responses seen anywhere: a figure built on them is not valid. */
  failures: number
  /** P1: median full response time with a pending 1 s task, ms. */
  p1?: number
  /** P2: p50 and p95 full response time with a 20 ms CPU task, ms. */
  p2p50?: number
  p2p95?: number
  /** P3: requests per second with a no-op task. */
  p3?: number
  /** P4: heap bytes per pending task. */
  p4?: number
  /** P5: tasks completed (fewest over rounds) and ms from SIGTERM to exit (median). */
  p5?: { tasks: number; completed: number; exitMs: number | null; exit: string }
}

export interface Meta {
  date: string
  machine: string
  cpus: number
  memory: string
  /** 1-minute load average before and after the run: other work on the machine skews figures. */
  load: string
  versions: Record<string, string>
  throughputTool: string
  durationSeconds: number
}

export interface Results {
  config: Config
  meta: Meta
  servers: ServerResult[]
}
