// Do two full runs agree? `node --import tsx bench/compare.ts first.json second.json`
// (or a run from git history, `ec6f88c:bench/results.json`: one results.json is kept, git
// keeps the earlier ones) prints, for every target, each run's per-round median [min–max] and verdict, and
// "agree" when one run's median lies within the other run's min–max (the spread each
// run itself reports) or the two medians are within 2 % of each other, so a reader can
// see whether the figures reproduce.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { assess, type Assessment } from './goals.ts'
import type { Results } from './results.ts'
import { FIGURES } from './report.ts'
import { CONFIGURATION, GROUP_LABELS, type Role } from './targets.ts'

/** A file, or `<commit>:<path>`, the file as it was committed then. */
const read = (file: string): string =>
  existsSync(file) || !file.includes(':') ? readFileSync(file, 'utf8') : execFileSync('git', ['show', file], { encoding: 'utf8', maxBuffer: 1 << 28 })
const [first, second] = process.argv.slice(2).map((file) => JSON.parse(read(file)) as Results)
if (!first || !second) {
  console.error('usage: node --import tsx bench/compare.ts first.json|<commit>:bench/results.json second.json')
  process.exit(2)
}

const key = (a: Assessment) => `${a.goal.figure}|${a.group}|${a.subject.id}|${a.against?.id ?? ''}|${a.goal.text}`
const format = (a: Assessment | undefined) => {
  if (!a || a.summary.n === 0) return '—'
  const digits = a.goal.measure === 'ratio' ? 2 : 0
  const s = a.summary
  return `${s.median.toFixed(digits)} [${s.min.toFixed(digits)}–${s.max.toFixed(digits)}] ${a.verdict}`
}
const inside = (x: number, a: Assessment) => x >= a.summary.min && x <= a.summary.max
// Heap bytes repeat to the byte, so their min–max is no width at all: 2 % apart is the same figure.
const close = (a: Assessment, b: Assessment) => Math.abs(a.summary.median - b.summary.median) <= 0.02 * Math.max(Math.abs(a.summary.median), Math.abs(b.summary.median))

const later = new Map(assess(second.series).map((a) => [key(a), a]))
const rows: string[][] = []
let agree = 0
let compared = 0
for (const a of assess(first.series)) {
  const b = later.get(key(a))
  let verdict = 'not comparable'
  if (b && a.summary.n > 0 && b.summary.n > 0) {
    compared++
    const ok = inside(a.summary.median, b) || inside(b.summary.median, a) || close(a, b)
    if (ok) agree++
    verdict = ok ? 'agree' : 'differ'
  }
  const subject = CONFIGURATION[a.subject.role as Role] ?? a.subject.label
  const against = a.goal.against === 'peers' ? ` (${a.against?.label.split(',')[0]})` : ''
  rows.push([`${FIGURES[a.goal.figure]}`, GROUP_LABELS[a.group], subject, a.goal.text + against, format(a), format(b), verdict])
}
const headers = ['Figure', 'Runtime', 'finish-request', 'Target', `Run 1 (${first.meta.commit}, ${first.meta.date})`, `Run 2 (${second.meta.commit}, ${second.meta.date})`, 'Agreement']
console.log(`| ${headers.join(' | ')} |\n|${headers.map(() => '---').join('|')}|`)
for (const row of rows) console.log(`| ${row.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`)
console.log(`\n${agree} of ${compared} comparable targets agree (one run's median within the other's min–max over rounds, or the medians within 2 %).`)
