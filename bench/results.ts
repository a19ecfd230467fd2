// What a run produces: for every figure, group and server, one value per round. Every
// summary (median, min–max, ratios per round) is computed from these in report.ts, so
// RESULTS.md can show how far apart the rounds were.
import type { Config } from './config.ts'
import type { Group, Role, Target } from './targets.ts'

/**
 * P1 back-to-back response time with a 1 s task pending; P1w the same, servers taking
 * turns request by request; P2 p50/p95 with a 20 ms CPU task; P3 requests/s; P4 heap
 * bytes per pending task; P5 SIGTERM; P7r response time with one durable task; P7j
 * jobs/s; P7c jobs/s through N worker processes (the capacity table), P7cpu their CPU
 * time per job; P8 requests/s
 * with inspector pages open; P8mem the server's memory then.
 */
export type Figure = 'P1' | 'P1w' | 'P2p50' | 'P2p95' | 'P3' | 'P4' | 'P5' | 'P7r' | 'P7j' | 'P7c' | 'P7cpu' | 'P8' | 'P8mem'

/** Roles beyond the servers': P7's and P8's own comparisons. */
export type SeriesRole = Role | 'by-hand' | 'durable' | 'bare-worker' | 'jobs-work' | 'pages-0' | 'pages-1' | 'pages-20'

export interface ShutdownRound {
  completed: number
  tasks: number
  /** From SIGTERM to exit; null if it had to be killed. */
  exitMs: number | null
  exit: string
}

export interface Series {
  figure: Figure
  group: Group
  id: string
  label: string
  role: SeriesRole
  /**
   * Where one figure of one group holds several comparisons (P7 on each store, the
   * capacity table's store × job × N): a series is compared only within its cell.
   */
  cell?: string
  /** One value per round, NaN where that round failed. Rounds of one figure and group line up. */
  rounds: number[]
  /** Non-200 responses seen: a value built on them is not valid. */
  failures: number
  errors: string[]
  /** Why it was not measured at all. */
  missing?: string
  /** P5 only. */
  shutdowns?: ShutdownRound[]
}

export interface Meta {
  date: string
  commit: string
  machine: string
  cpus: number
  memory: string
  /** 1-minute load average before and after the run: other work on the machine skews figures. */
  load: string
  pinning: string
  versions: Record<string, string>
  throughputTool: string
  durationSeconds: number
  /** What the time budget cut off, if anything. */
  skipped: string[]
}

export interface Results {
  config: Config
  meta: Meta
  series: Series[]
}

/** Collects values as the run goes; a failed round leaves NaN and an error. */
export class Recorder {
  readonly series: Series[] = []

  of(figure: Figure, target: Pick<Target, 'id' | 'label' | 'group' | 'missing'> & { role: SeriesRole; cell?: string }): Series {
    let series = this.series.find((s) => s.figure === figure && s.id === target.id)
    if (!series) {
      const { id, label, group, role, missing, cell } = target
      series = { figure, group, id, label, role, rounds: [], failures: 0, errors: [], missing, ...(cell === undefined ? {} : { cell }) }
      this.series.push(series)
    }
    return series
  }

  record(figure: Figure, target: Parameters<Recorder['of']>[1], round: number, value: number, failures = 0): void {
    const series = this.of(figure, target)
    while (series.rounds.length < round) series.rounds.push(NaN)
    series.rounds[round] = value
    series.failures += failures
  }

  fail(figure: Figure, target: Parameters<Recorder['of']>[1], round: number, error: string): void {
    const series = this.of(figure, target)
    while (series.rounds.length <= round) series.rounds.push(NaN)
    if (!series.errors.includes(error)) series.errors.push(error)
  }

  /** A figure that cannot be measured on this commit or machine, with the reason. */
  missing(figure: Figure, target: Parameters<Recorder['of']>[1], reason: string): void {
    this.of(figure, { ...target, missing: reason }).missing = reason
  }
}
