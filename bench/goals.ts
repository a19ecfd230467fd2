// The targets finish-request is held to (issues 13 and 22), and the verdict for each: computed
// from per-round comparisons, so a target inside the rounds' spread is "within noise",
// never a pass or a miss by luck of one run.
import type { Figure, Series, SeriesRole } from './results.ts'
import { differences, ratios, spread, type Spread } from './lib/stats.ts'
import { DEFAULT_ROLES, type Group } from './targets.ts'

export type Verdict = 'met' | 'missed' | 'within noise' | 'invalid' | 'not measured'

export interface Goal {
  figure: Figure
  subject: SeriesRole
  /** The series compared with, in the same figure and group; 'peers' is every best-config peer. */
  against: SeriesRole | 'peers' | 'none'
  /** ratio: subject ÷ against per round; excess: subject − against (P4 bytes); absolute: subject alone. */
  measure: 'ratio' | 'excess' | 'absolute'
  op: '<=' | '>=' | '<'
  limit: number
  /** Only in these groups (default: every group where the subject was measured). */
  groups?: Group[]
  text: string
}

// Where each goal applies (issue 22). Node 24+ implements AsyncLocalStorage on
// AsyncContextFrame, so the defaults are held to the bare server there; on Node 20/22,
// Bun and Deno, to a bare server that itself runs one AsyncLocalStorage.run() per
// request (what an app with request logging or OpenTelemetry already pays).
const FRAME_LINES: Group[] = ['node24', 'node26']
const HOOK_LINES: Group[] = ['node20', 'node22', 'bun', 'deno']
const NODES: Group[] = ['node24', 'node26', 'node22', 'node20']
const EVERY: Group[] = [...NODES, 'bun', 'deno', 'workerd']

/** The goals every default row (serve, worker, the Hono middleware, handle) is held to. */
const defaults = (subject: SeriesRole): Goal[] => [
  { figure: 'P3', subject, against: 'bare', measure: 'ratio', op: '>=', limit: 0.97, groups: FRAME_LINES, text: '≥ 0.97× bare' },
  { figure: 'P3', subject, against: 'control-als', measure: 'ratio', op: '>=', limit: 0.97, groups: HOOK_LINES, text: '≥ 0.97× bare + AsyncLocalStorage.run()' },
  { figure: 'P3', subject, against: 'peers', measure: 'ratio', op: '>=', limit: 1, groups: EVERY, text: '≥ each peer (best config)' },
  // Below every peer: < 666 B on Node 20 by the issue's figures (@whatwg-node/server's).
  { figure: 'P4', subject, against: 'peers', measure: 'ratio', op: '<', limit: 1, groups: EVERY, text: '< each peer (best config)' },
  { figure: 'P1w', subject, against: 'control', measure: 'ratio', op: '<=', limit: 1.02, groups: EVERY, text: '≤ 1.02× control' },
]

export const GOALS: Goal[] = [
  // Not a target of the library's: whether P3's method can tell 2 % apart at all.
  { figure: 'P3', subject: 'bare-twin', against: 'bare', measure: 'ratio', op: '>=', limit: 0.98, groups: EVERY, text: 'the noise: ≥ 0.98× its twin' },
  ...DEFAULT_ROLES.flatMap(defaults),
  { figure: 'P1', subject: 'after', against: 'bare', measure: 'ratio', op: '<=', limit: 1.05, groups: EVERY, text: '≤ 1.05× bare' },
  { figure: 'P2p50', subject: 'after', against: 'bare', measure: 'ratio', op: '<=', limit: 1.1, groups: EVERY, text: '≤ 1.10× bare' },
  { figure: 'P2p50', subject: 'after', against: 'control', measure: 'ratio', op: '<=', limit: 1.05, groups: EVERY, text: '≤ 1.05× control' },
  { figure: 'P2p95', subject: 'after', against: 'bare', measure: 'ratio', op: '<=', limit: 1.1, groups: EVERY, text: '≤ 1.10× bare' },
  { figure: 'P2p95', subject: 'after', against: 'control', measure: 'ratio', op: '<=', limit: 1.05, groups: EVERY, text: '≤ 1.05× control' },
  { figure: 'P5', subject: 'after', against: 'none', measure: 'absolute', op: '<=', limit: 550, groups: ['node20'], text: 'all done, exit ≤ 550 ms' },
  // The secondary row: the request context off, for an app that always passes ctx.
  { figure: 'P4', subject: 'after-noals', against: 'reference', measure: 'excess', op: '<=', limit: 150, groups: EVERY, text: '≤ 150 B above fire-and-forget' },
  { figure: 'P3', subject: 'after-noals', against: 'bare', measure: 'ratio', op: '>=', limit: 0.98, groups: NODES, text: '≥ 0.98× bare' },
  { figure: 'P7r', subject: 'durable', against: 'by-hand', measure: 'ratio', op: '<=', limit: 1.05, text: '≤ 1.05× await queue.add()' },
  { figure: 'P7j', subject: 'jobs-work', against: 'bare-worker', measure: 'ratio', op: '>=', limit: 0.95, text: '≥ 0.95× bare Worker' },
  { figure: 'P7c', subject: 'jobs-work', against: 'bare-worker', measure: 'ratio', op: '>=', limit: 0.95, text: '≥ 0.95× bare Worker' },
  { figure: 'P8', subject: 'pages-1', against: 'pages-0', measure: 'ratio', op: '>=', limit: 0.95, text: '≥ 0.95× no page' },
  { figure: 'P8', subject: 'pages-20', against: 'pages-0', measure: 'ratio', op: '>=', limit: 0.95, text: '≥ 0.95× no page' },
]

export interface Assessment {
  goal: Goal
  group: Group
  subject: Series
  against?: Series
  /** Per-round comparison values: ratios, byte differences, or the subject's own values. */
  values: number[]
  summary: Spread
  verdict: Verdict
  why?: string
}

/** Why a series' values cannot be trusted, if they cannot. */
export function invalidity(series: Series): string | undefined {
  if (series.missing) return series.missing
  if (series.errors.length) return series.errors[0]
  if (series.failures > 0) return `${series.failures} non-200 responses`
  return undefined
}

function judge(values: number[], op: Goal['op'], limit: number): Verdict {
  const { min, max, n } = spread(values)
  if (n === 0) return 'invalid'
  const upper = op !== '>='
  const worst = upper ? max : min
  const best = upper ? min : max
  const holds = (x: number) => (op === '<=' ? x <= limit : op === '<' ? x < limit : x >= limit)
  if (holds(worst)) return 'met'
  if (!holds(best)) return 'missed'
  return 'within noise'
}

export function assess(series: Series[]): Assessment[] {
  const out: Assessment[] = []
  for (const goal of GOALS) {
    for (const subject of series.filter((s) => s.figure === goal.figure && s.role === goal.subject)) {
      if (goal.groups && !goal.groups.includes(subject.group)) continue
      const same = series.filter((s) => s.figure === goal.figure && s.group === subject.group && s.cell === subject.cell)
      const others =
        goal.against === 'none' ? [undefined] : goal.against === 'peers' ? same.filter((s) => s.role === 'peer') : [same.find((s) => s.role === goal.against)]
      for (const against of others) {
        if (goal.against !== 'none' && !against) continue
        const values =
          goal.measure === 'ratio'
            ? ratios(subject.rounds, against!.rounds)
            : goal.measure === 'excess'
              ? differences(subject.rounds, against!.rounds)
              : subject.rounds.filter(Number.isFinite)
        const problem = invalidity(subject) ?? (against && invalidity(against))
        let verdict: Verdict = subject.missing || against?.missing ? 'not measured' : problem ? 'invalid' : judge(values, goal.op, goal.limit)
        let why = problem
        // P5 also needs every task done in every round, and a round that had to be killed never exited.
        const lost = subject.shutdowns?.find((r) => r.completed < r.tasks || r.exitMs === null)
        if (lost && verdict !== 'not measured' && verdict !== 'invalid') {
          verdict = 'missed'
          why = `${lost.completed}/${lost.tasks} done, ${lost.exitMs === null ? lost.exit : `exit ${Math.round(lost.exitMs)} ms`}`
        }
        out.push({ goal, group: subject.group, subject, against, values, summary: spread(values), verdict, why })
      }
    }
  }
  return out
}
