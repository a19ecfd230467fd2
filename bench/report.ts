// Turns results into rows (figure, server, value, ratio, target, verdict), then into the
// terminal table and RESULTS.md. Targets apply to finish-request only; the other rows
// are there to compare against.
import type { Results, ServerResult } from './results.ts'
import type { Runtime } from './targets.ts'

export interface Row {
  figure: string
  runtime: Runtime
  server: string
  value: string
  /** Against the same runtime's bare server (P4: against the pending promise alone). */
  ratio: string
  target: string
  verdict: '' | 'PASS' | 'MISS' | 'INVALID' | 'NOT MEASURED'
}

export const TARGETS = {
  p1: 1.05,
  p2: 1.1,
  p3: 0.97,
  p4: 600,
  p5ExitMs: 600,
}

export function ms(value: number | undefined | null): string {
  if (value === undefined || value === null || Number.isNaN(value)) return '—'
  if (value < 1) return `${value.toFixed(3)} ms`
  if (value < 10) return `${value.toFixed(2)} ms`
  if (value < 100) return `${value.toFixed(1)} ms`
  return `${Math.round(value)} ms`
}
const thousands = (value: number) => Math.round(value).toLocaleString('en-US')
const times = (ratio: number | undefined) =>
  ratio === undefined || !Number.isFinite(ratio) ? '—' : ratio >= 100 ? `${thousands(ratio)}×` : `${ratio.toFixed(2)}×`

const RUNTIMES: Runtime[] = ['node', 'bun', 'deno', 'workerd']

/** Why a measured value cannot be trusted, if it cannot. */
function invalid(server: ServerResult, figure: string): string | undefined {
  if (server.missing) return server.missing
  if (server.errors.start) return `did not start: ${server.errors.start}`
  if (server.errors[figure]) return server.errors[figure]
  if (server.failures > 0) return `${server.failures} non-200 responses`
  return undefined
}

function verdictOf(server: ServerResult, figure: string, pass: boolean | undefined): Row['verdict'] {
  if (server.missing) return 'NOT MEASURED'
  if (invalid(server, figure) || pass === undefined) return 'INVALID'
  return pass ? 'PASS' : 'MISS'
}

export function buildRows(results: Results): Row[] {
  const ran = new Set<string>()
  for (const row of allRows(results)) if (row.value !== '—' && row.value !== 'not measured') ran.add(`${row.figure}|${row.runtime}`)
  // A partial run (--only) leaves whole figures out: drop their empty groups.
  return allRows(results).filter((row) => ran.has(`${row.figure}|${row.runtime}`))
}

function allRows({ servers }: Results): Row[] {
  const rows: Row[] = []
  const of = (runtime: Runtime) => servers.filter((s) => s.runtime === runtime)
  for (const runtime of RUNTIMES) {
    const group = of(runtime).filter((s) => s.role !== 'reference')
    const bare = group.find((s) => s.role === 'bare')
    const latency = (figure: string, key: 'p1' | 'p2p50' | 'p2p95', limit: number, failed: string) => {
      for (const server of group) {
        const value = server[key]
        const ratio = value !== undefined && bare?.[key] ? value / bare[key]! : undefined
        const isAfter = server.role === 'after'
        rows.push({
          figure,
          runtime,
          server: server.label,
          value: server.missing ? 'not measured' : ms(value),
          ratio: times(ratio),
          target: isAfter ? `≤ ${limit.toFixed(2)}× bare` : '',
          verdict: isAfter ? verdictOf(server, failed, ratio === undefined ? undefined : ratio <= limit) : '',
        })
      }
    }
    latency('P1 response, 1 s task pending', 'p1', TARGETS.p1, 'P1')
    latency('P2 p50, 20 ms CPU task', 'p2p50', TARGETS.p2, 'P2')
    latency('P2 p95, 20 ms CPU task', 'p2p95', TARGETS.p2, 'P2')
  }

  const node = of('node')
  const bare = node.find((s) => s.role === 'bare')
  const peers = node.filter((s) => s.role === 'peer')
  for (const server of node.filter((s) => s.role === 'bare' || s.role === 'peer' || s.role === 'after')) {
    const ratio = server.p3 !== undefined && bare?.p3 ? server.p3 / bare.p3 : undefined
    const isAfter = server.role === 'after'
    const pass =
      ratio === undefined ? undefined : ratio >= TARGETS.p3 && peers.every((p) => p.p3 === undefined || server.p3! >= p.p3)
    rows.push({
      figure: 'P3 requests/s, no-op task, 50 conn.',
      runtime: 'node',
      server: server.label,
      value: server.p3 === undefined ? '—' : `${thousands(server.p3)}/s`,
      ratio: times(ratio),
      target: isAfter ? `≥ ${TARGETS.p3}× bare, ≥ peers` : '',
      verdict: isAfter ? verdictOf(server, 'P3', pass) : '',
    })
  }

  const floor = node.find((s) => s.role === 'reference')
  for (const server of node.filter((s) => s.role === 'reference' || s.role === 'peer' || s.role === 'after')) {
    const isAfter = server.role === 'after'
    rows.push({
      figure: 'P4 heap bytes per pending task',
      runtime: 'node',
      server: server.label,
      value: server.p4 === undefined ? '—' : `${Math.round(server.p4)} B`,
      ratio: server.p4 !== undefined && floor?.p4 ? times(server.p4 / floor.p4) : '—',
      target: isAfter ? `≤ ${TARGETS.p4} B` : '',
      verdict: isAfter ? verdictOf(server, 'P4', server.p4 === undefined ? undefined : server.p4 <= TARGETS.p4) : '',
    })
  }

  for (const server of node.filter((s) => s.role === 'peer' || s.role === 'after')) {
    const p5 = server.p5
    const isAfter = server.role === 'after'
    const pass = p5 && p5.completed === p5.tasks && p5.exitMs !== null && p5.exitMs <= TARGETS.p5ExitMs
    rows.push({
      figure: 'P5 SIGTERM, 1 000 pending 500 ms tasks',
      runtime: 'node',
      server: server.label,
      value: p5
        ? `${p5.completed}/${p5.tasks} done, ${p5.exitMs === null ? p5.exit : `exit ${ms(p5.exitMs)}`}`
        : '—',
      ratio: '',
      target: isAfter ? `all done, exit ≤ ${TARGETS.p5ExitMs} ms` : '',
      verdict: isAfter ? verdictOf(server, 'P5', p5 ? pass : undefined) : '',
    })
  }
  return rows
}

/** Everything that went wrong during the run, one line each. */
export function problems({ servers }: Results): string[] {
  const lines: string[] = []
  for (const server of servers) {
    for (const [figure, error] of Object.entries(server.errors)) lines.push(`${server.id} ${figure}: ${error}`)
    if (server.failures > 0) lines.push(`${server.id}: ${server.failures} non-200 responses`)
    if (server.missing) lines.push(`${server.id}: not measured: ${server.missing}`)
  }
  return lines
}

const HEADERS = ['Figure', 'Runtime', 'Server', 'Value', 'vs bare', 'Target', 'Result'] as const
const cells = (row: Row) => [row.figure, row.runtime, row.server, row.value, row.ratio, row.target, row.verdict]

export function renderTable(results: Results): string {
  const rows = buildRows(results)
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => cells(r)[i]!.length)))
  const line = (values: readonly string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd()
  const out = [line(HEADERS), widths.map((w) => '─'.repeat(w)).join('  ')]
  let previous = ''
  for (const row of rows) {
    const key = `${row.figure}|${row.runtime}`
    const values = cells(row)
    // Print a figure's name once per group, so the eye finds the groups.
    if (key === previous) values[0] = values[1] = ''
    else if (previous) out.push('')
    previous = key
    out.push(line(values))
  }
  const verdicts = rows.filter((r) => r.verdict)
  const count = (v: Row['verdict']) => verdicts.filter((r) => r.verdict === v).length
  out.push('', `finish-request: ${count('PASS')} PASS, ${count('MISS')} MISS, ${count('INVALID')} INVALID, ${count('NOT MEASURED')} NOT MEASURED`)
  for (const line of problems(results)) out.push(`  ${line}`)
  return out.join('\n')
}

export function renderMarkdown(results: Results): string {
  const { meta, config } = results
  const rows = buildRows(results)
  const escape = (s: string) => s.replaceAll('|', '\\|')
  const table = [
    `| ${HEADERS.join(' | ')} |`,
    `|${HEADERS.map((_, i) => (i === 3 || i === 4 ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${cells(r).map(escape).join(' | ')} |`),
  ]
  const trouble = problems(results)
  return `# finish-request benchmark results

Generated by \`npm run bench\` (${config.name} run, ${Math.round(meta.durationSeconds)} s). Method, and
what explains each miss: [bench/README.md](README.md). Chart of P2 and P3: [chart.svg](chart.svg).

- **Date:** ${meta.date}
- **Machine:** ${meta.machine}; ${meta.cpus} CPUs; ${meta.memory} RAM; load average ${meta.load}
- **Versions:** ${Object.entries(meta.versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ')}
- **Load:** P1/P2 one keep-alive connection, a hand-written client in its own process; P3 ${meta.throughputTool}, 50 connections, ${config.p3.rounds} rounds of ${config.p3.seconds} s per server
- **Rounds:** P1/P2 ${config.rounds} on Node (P5: ${config.p5.rounds}), ${config.otherRounds} on Bun, Deno and workerd; servers take turns in each round; each figure is the median over rounds
- **Sizes:** P1 ${config.p1.count} requests per round (naive ${config.p1.naiveCount}); P2 ${config.p2.count} requests ${config.p2.intervalMs} ms apart per round (${config.otherP2Count} on the other runtimes); P4 ${config.p4.tasks.toLocaleString('en-US')} pending tasks; P5 ${config.p5.tasks.toLocaleString('en-US')} tasks

${table.join('\n')}
${trouble.length ? `\nProblems during the run:\n\n${trouble.map((p) => `- ${p}`).join('\n')}\n` : ''}`
}
