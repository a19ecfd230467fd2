// Turns a run's series into two tables: the targets (finish-request against its floor
// or a peer, per round, with the verdict) and every figure (each server's median with
// the min–max over rounds). Rendered for the terminal and for RESULTS.md.
import { assess, invalidity, type Assessment, type Verdict } from './goals.ts'
import { differences, ratios, spread, type Spread } from './lib/stats.ts'
import type { Figure, Results, Series, SeriesRole } from './results.ts'
import { GROUP_LABELS, type Group } from './targets.ts'

export const FIGURES: Record<Figure, string> = {
  P1: 'P1 response, 1 s task pending, back to back',
  P1w: 'P1w response, 1 s tasks pending, servers taking turns',
  P2p50: 'P2 p50, 20 ms CPU task',
  P2p95: 'P2 p95, 20 ms CPU task',
  P3: 'P3 requests/s, no-op task, 50 conn.',
  P4: 'P4 heap bytes per pending task',
  P5: 'P5 SIGTERM with pending 500 ms tasks',
  P7r: 'P7 response time, one durable task',
  P7j: 'P7 jobs/s through a worker',
  P7c: 'P7c capacity: jobs/s through N worker processes',
  P7cpu: 'P7c capacity: worker CPU time per job',
  P8: 'P8 requests/s, inspector pages open',
  P8mem: 'P8 server memory (RSS)',
}
const ORDER = Object.keys(FIGURES) as Figure[]
const GROUPS = Object.keys(GROUP_LABELS) as Group[]

/** What each figure's "vs floor" column compares with. */
const FLOOR: Record<Figure, SeriesRole> = {
  P1: 'bare',
  P1w: 'bare',
  P2p50: 'bare',
  P2p95: 'bare',
  P3: 'bare',
  P4: 'reference',
  P5: 'bare',
  P7r: 'by-hand',
  P7j: 'bare-worker',
  P7c: 'bare-worker',
  P7cpu: 'bare-worker',
  P8: 'pages-0',
  P8mem: 'pages-0',
}

export function ms(value: number | undefined | null): string {
  if (value === undefined || value === null || Number.isNaN(value)) return '—'
  if (value < 1) return `${value.toFixed(3)} ms`
  if (value < 10) return `${value.toFixed(2)} ms`
  if (value < 100) return `${value.toFixed(1)} ms`
  return `${Math.round(value)} ms`
}
const thousands = (value: number) => Math.round(value).toLocaleString('en-US')

function unit(figure: Figure, value: number): string {
  if (!Number.isFinite(value)) return '—'
  switch (figure) {
    case 'P3':
    case 'P8':
      return `${thousands(value)}/s`
    case 'P7j':
    case 'P7c':
      return `${thousands(value)} jobs/s`
    case 'P4':
      return `${Math.round(value)} B`
    case 'P8mem':
      return `${(value / 2 ** 20).toFixed(0)} MiB`
    case 'P7cpu':
      return `${Math.round(value)} µs`
    default:
      return ms(value)
  }
}

const times = (x: number) => (!Number.isFinite(x) ? '—' : x >= 100 ? `${thousands(x)}×` : `${x.toFixed(2)}×`)
const bytes = (x: number) => (!Number.isFinite(x) ? '—' : `${x >= 0 ? '+' : '−'}${Math.abs(Math.round(x))} B`)

/** "median [min–max]" when there was more than one round. */
function withSpread(s: Spread, format: (x: number) => string): string {
  if (s.n === 0) return '—'
  if (s.n === 1) return format(s.median)
  return `${format(s.median)} [${format(s.min).replace(/ ?(ms|µs|B|×|\/s|MiB|jobs\/s)$/, '')}–${format(s.max)}]`
}

function valueCell(series: Series): string {
  if (series.missing) return `not measured: ${series.missing}`
  if (series.figure === 'P5') {
    const runs = series.shutdowns ?? []
    if (!runs.length) return '—'
    const completed = Math.min(...runs.map((r) => r.completed))
    const killed = runs.find((r) => r.exitMs === null)
    const exit = killed ? killed.exit : `exit ${withSpread(spread(series.rounds), ms)}`
    return `${completed}/${runs[0]!.tasks} done (fewest), ${exit}`
  }
  return withSpread(spread(series.rounds), (x) => unit(series.figure, x))
}

function floorCell(series: Series, floor: Series | undefined): string {
  if (!floor || series.missing || floor.missing || series.figure === 'P5') return ''
  if (series === floor) return series.figure === 'P4' ? 'floor' : '1.00×'
  if (series.figure === 'P4') return withSpread(spread(differences(series.rounds, floor.rounds)), bytes)
  return withSpread(spread(ratios(series.rounds, floor.rounds)), times)
}

export interface FigureRow {
  figure: string
  runtime: string
  server: string
  value: string
  vsFloor: string
}

export function figureRows(results: Results): FigureRow[] {
  const rows: FigureRow[] = []
  for (const figure of ORDER) {
    for (const group of GROUPS) {
      const list = results.series.filter((s) => s.figure === figure && s.group === group)
      for (const series of list) {
        const floor = list.find((s) => s.role === FLOOR[figure] && s.cell === series.cell)
        rows.push({
          figure: FIGURES[figure],
          runtime: GROUP_LABELS[group],
          server: series.label,
          value: valueCell(series),
          vsFloor: floorCell(series, floor),
        })
      }
    }
  }
  return rows
}

export interface TargetRow {
  figure: string
  runtime: string
  server: string
  against: string
  measured: string
  target: string
  verdict: Verdict | string
}

function measured(a: Assessment): string {
  if (a.verdict === 'not measured') return ''
  if (a.goal.measure === 'excess') return withSpread(a.summary, bytes)
  if (a.goal.measure === 'absolute') return withSpread(a.summary, (x) => unit(a.goal.figure, x))
  return withSpread(a.summary, times)
}

export function targetRows(results: Results): TargetRow[] {
  return assess(results.series).map((a) => ({
    figure: `${FIGURES[a.goal.figure]}`,
    runtime: GROUP_LABELS[a.group],
    server: a.subject.label,
    against: a.against?.label ?? '',
    measured: measured(a),
    target: a.goal.text,
    verdict:
      a.verdict === 'invalid' || a.verdict === 'not measured' || a.why
        ? `${a.verdict}${a.why ? `: ${a.why}` : ''}`
        : // One round has no spread: its verdict says so.
          `${a.verdict}${a.summary.n === 1 ? ' (1 round)' : ''}`,
  }))
}

/** Everything that went wrong during the run, one line each. */
export function problems({ series }: Results): string[] {
  const lines = new Set<string>()
  for (const s of series) {
    if (s.missing) continue
    const why = invalidity(s)
    if (why) lines.add(`${FIGURES[s.figure]}, ${GROUP_LABELS[s.group]}, ${s.label}: ${why}`)
  }
  return [...lines]
}

export function verdictCounts(results: Results): string {
  const rows = assess(results.series)
  const count = (v: Verdict) => rows.filter((r) => r.verdict === v).length
  return `${count('met')} met, ${count('within noise')} within noise, ${count('missed')} missed, ${count('invalid')} invalid, ${count('not measured')} not measured`
}

function textTable(headers: readonly string[], rows: string[][], groupBy = 2): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (values: readonly string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd()
  const out = [line(headers), widths.map((w) => '─'.repeat(w)).join('  ')]
  let previous = ''
  for (const row of rows) {
    const key = row.slice(0, groupBy).join('|')
    const values = [...row]
    // Print a group's name once, so the eye finds the groups.
    if (key === previous) for (let i = 0; i < groupBy; i++) values[i] = ''
    else if (previous) out.push('')
    previous = key
    out.push(line(values))
  }
  return out.join('\n')
}

const TARGET_HEADERS = ['Figure', 'Runtime', 'finish-request', 'Compared with', 'Per round: median [min–max]', 'Target', 'Verdict'] as const
const FIGURE_HEADERS = ['Figure', 'Runtime', 'Server', 'Median [min–max] over rounds', 'vs floor, per round'] as const
const targetCells = (r: TargetRow) => [r.figure, r.runtime, r.server, r.against, r.measured, r.target, r.verdict]
const figureCells = (r: FigureRow) => [r.figure, r.runtime, r.server, r.value, r.vsFloor]

export function renderTable(results: Results): string {
  return [
    textTable(FIGURE_HEADERS, figureRows(results).map(figureCells)),
    '',
    textTable(TARGET_HEADERS, targetRows(results).map(targetCells)),
    '',
    `finish-request: ${verdictCounts(results)}`,
    ...problems(results).map((p) => `  ${p}`),
  ].join('\n')
}

function markdownTable(headers: readonly string[], rows: string[][], right: number[]): string {
  const escape = (s: string) => s.replaceAll('|', '\\|')
  return [
    `| ${headers.join(' | ')} |`,
    `|${headers.map((_, i) => (right.includes(i) ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(escape).join(' | ')} |`),
  ].join('\n')
}

export function renderMarkdown(results: Results): string {
  const { meta, config } = results
  const trouble = problems(results)
  const plans = Object.entries(config.groups)
    .map(([g, p]) => `${GROUP_LABELS[g as Group]} ${p.rounds}/${p.p3Rounds}/${p.p4Rounds}`)
    .join(', ')
  return `# finish-request benchmark results

Generated by \`npm run bench\` (${config.name} run, ${Math.round(meta.durationSeconds)} s) at ${meta.commit}. Method,
and what explains each miss: [bench/README.md](README.md). Chart: [chart.svg](chart.svg).
Every round's value: [results.json](results.json).

- **Date:** ${meta.date}
- **Machine:** ${meta.machine}; ${meta.cpus} CPUs; ${meta.memory} RAM; load average ${meta.load}
- **CPU pinning:** ${meta.pinning}
- **Versions:** ${Object.entries(meta.versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ')}
- **Clients:** P1/P2 one keep-alive connection per server, a hand-written client in the bench's process; P3 ${meta.throughputTool}, 50 connections per server, each server loaded at the same time as the bare one on the servers' core, one ${config.p3.seconds} s slice per pair per round
- **Rounds** (P1+P1w+P2 / P3 / P4): ${plans}; P5 ${config.p5.rounds}. Servers take turns in each round; ratios are taken per round (round r against round r of the floor), then summarised as median [min–max]
- **Sizes:** P1 ${config.p1.count} requests per round (naive ${config.p1.naiveCount}); P1w ${config.p1w.count} per server per round; P2 requests ${config.p2.intervalMs} ms apart; P4 ${config.p4.tasks.node20.toLocaleString('en-US')} pending tasks per server; P5 ${config.p5.tasks.toLocaleString('en-US')} tasks

${meta.skipped.length ? `**Cut by the time budget:** ${meta.skipped.join('; ')}.

` : ''}**Verdicts:** ${verdictCounts(results)}. *met*: the target holds in every round;
*missed*: in none; *within noise*: the rounds' spread straddles it.

## Targets

${markdownTable(TARGET_HEADERS, targetRows(results).map(targetCells), [4])}

## Every figure

${markdownTable(FIGURE_HEADERS, figureRows(results).map(figureCells), [3, 4])}
${trouble.length ? `\nProblems during the run:\n\n${trouble.map((p) => `- ${p}`).join('\n')}\n` : ''}`
}
