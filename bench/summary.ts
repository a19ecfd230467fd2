// The README's performance table, from a run's results.json: one row per target, named
// by the configuration it measures (the defaults first), one column per runtime (Node 24
// first), each cell the per-round median [min–max] and its verdict.
// `node --import tsx bench/summary.ts [bench/results.json]`
import { readFileSync } from 'node:fs'
import { assess, type Assessment, type Verdict } from './goals.ts'
import { FIGURES } from './report.ts'
import type { Results } from './results.ts'
import { CONFIGURATION, GROUP_LABELS, type Group, type Role } from './targets.ts'

const results = JSON.parse(readFileSync(process.argv[2] ?? new URL('results.json', import.meta.url), 'utf8')) as Results
const GROUPS = Object.keys(GROUP_LABELS) as Group[]
const MARK: Record<Verdict, string> = { met: '✅', missed: '❌', 'within noise': '≈', invalid: '⚠️ invalid', 'not measured': 'not measured' }

function cell(a: Assessment | undefined): string {
  if (!a) return ''
  if (a.verdict === 'not measured' || a.verdict === 'invalid' || a.summary.n === 0) return MARK[a.verdict]
  const s = a.summary
  const f = (x: number) =>
    a.goal.measure === 'ratio' ? `${x.toFixed(2)}×` : a.goal.measure === 'excess' ? `+${Math.round(x)} B` : a.goal.figure === 'P4' ? `${Math.round(x)} B` : `${Math.round(x)} ms`
  const spread = s.n > 1 ? ` [${f(s.min).replace(/×| B| ms/, '')}–${f(s.max)}]` : ''
  return `${f(s.median)}${spread} ${MARK[a.verdict]}${a.why && a.verdict === 'missed' ? ` (${a.why})` : ''}`
}

const rows = new Map<string, { configuration: string; target: string; byGroup: Map<Group, Assessment> }>()
for (const a of assess(results.series)) {
  const against = a.goal.against === 'peers' ? a.against?.label.split(',')[0] : ''
  // The capacity table's twelve cells have their own section in the README.
  if (a.goal.figure === 'P7c') continue
  const which = a.goal.figure === 'P8' ? `, ${a.subject.label}` : a.subject.cell ? `, on ${a.subject.cell}` : ''
  // Durable tasks and the inspector are rows of their own: a blank cell would read as the row above's.
  const configuration =
    CONFIGURATION[a.subject.role as Role] ??
    (a.goal.figure.startsWith('P7') ? '`finish-request/bullmq`, `jobs.work()`' : a.goal.figure === 'P8' ? '`serve(app)` with `finish-request/inspector`' : '')
  const target = `${FIGURES[a.goal.figure]}${which}: ${a.goal.text.replace('each peer (best config)', `${against} at its best`)}`
  const key = `${configuration}|${target}`
  if (!rows.has(key)) rows.set(key, { configuration, target, byGroup: new Map() })
  rows.get(key)!.byGroup.set(a.group, a)
}
const used = GROUPS.filter((g) => [...rows.values()].some((r) => r.byGroup.has(g)))
console.log(`| finish-request | target | ${used.map((g) => GROUP_LABELS[g]).join(' | ')} |`)
console.log(`|---|---|${used.map(() => '---').join('|')}|`)
let previous = ''
for (const { configuration, target, byGroup } of rows.values()) {
  // A configuration's name once, on its first row: the eye finds where each begins.
  console.log(`| ${configuration === previous ? '' : configuration} | ${target} | ${used.map((g) => cell(byGroup.get(g))).join(' | ')} |`)
  previous = configuration
}
