// A hand-written SVG: P2 (p50 and p95 response time with a 20 ms CPU task, every
// runtime), P3 (requests/s, every runtime) and P1w (turn-taking response time with
// 1 s tasks pending). Bars are medians over rounds; the thin line across each is the
// rounds' min–max. Plain rects and text, no dependency.
import { ms } from './report.ts'
import { spread } from './lib/stats.ts'
import type { Figure, Results, Series } from './results.ts'
import { GROUP_LABELS, LIBRARY_ROLES, type Role } from './targets.ts'

const WIDTH = 980
const LABEL = 380
const BAR_AREA = 440
const ROW = 26
const COLORS = { bare: '#555f6d', after: '#e4572e', control: '#a7adb5', other: '#4c78a8' }

const esc = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
const colorOf = (s: Series) =>
  LIBRARY_ROLES.includes(s.role as Role) ? COLORS.after : s.role === 'bare' ? COLORS.bare : s.role === 'control' ? COLORS.control : COLORS.other
const nameOf = (s: Series) => `${GROUP_LABELS[s.group]} · ${s.label}`

interface Bar {
  series: Series
  opacity: number
  format: (x: number) => string
}

/** One horizontal bar chart; returns its SVG and height. */
function panel(title: string, subtitle: string, top: number, rows: Bar[][]): [string, number] {
  const max = Math.max(1e-9, ...rows.flat().map((b) => spread(b.series.rounds).max).filter(Number.isFinite))
  const x = (v: number) => LABEL + (v / max) * BAR_AREA
  const parts = [
    `<text x="20" y="${top + 22}" font-size="16" font-weight="bold">${esc(title)}</text>`,
    `<text x="20" y="${top + 40}" font-size="12" fill="#555">${esc(subtitle)}</text>`,
  ]
  let y = top + 52
  for (const bars of rows) {
    parts.push(`<text x="${LABEL - 10}" y="${y + ROW / 2 + 4}" font-size="12" text-anchor="end">${esc(nameOf(bars[0]!.series))}</text>`)
    const height = (ROW - 6) / bars.length
    bars.forEach((bar, i) => {
      const s = spread(bar.series.rounds)
      const by = y + 3 + i * height
      const mid = by + (height - 1) / 2
      parts.push(
        `<rect x="${LABEL}" y="${by.toFixed(1)}" width="${Math.max(1, x(s.median) - LABEL).toFixed(1)}" height="${(height - 1).toFixed(1)}" fill="${colorOf(bar.series)}" fill-opacity="${bar.opacity}"/>`,
      )
      if (s.n > 1) parts.push(`<line x1="${x(s.min).toFixed(1)}" x2="${x(s.max).toFixed(1)}" y1="${mid.toFixed(1)}" y2="${mid.toFixed(1)}" stroke="#111" stroke-width="1.2"/>`)
      parts.push(
        `<text x="${(Math.max(x(s.max), x(s.median)) + 6).toFixed(1)}" y="${(mid + 3.5).toFixed(1)}" font-size="10.5" fill="#333">${esc(bar.format(s.median))}</text>`,
      )
    })
    y += ROW
  }
  return [parts.join('\n'), y - top + 10]
}

export function renderChart(results: Results): string {
  const measured = (figure: Figure) => results.series.filter((s) => s.figure === figure && !s.missing && spread(s.rounds).n > 0)
  const p2 = measured('P2p50').map((p50) => {
    const p95 = measured('P2p95').find((s) => s.id === p50.id)
    return [
      { series: p50, opacity: 1, format: (v: number) => `p50 ${ms(v)}` },
      ...(p95 ? [{ series: p95, opacity: 0.5, format: (v: number) => `p95 ${ms(v)}` }] : []),
    ]
  })
  const p3 = measured('P3').map((s) => [{ series: s, opacity: 1, format: (v: number) => `${Math.round(v).toLocaleString('en-US')}/s` }])
  const p1w = measured('P1w').map((s) => [{ series: s, opacity: 1, format: (v: number) => ms(v) }])
  const panels: [string, string, Bar[][]][] = [
    ['P2 · response time while a 20 ms synchronous task runs (lower is better)', 'The task belongs to the request being timed. Bars: median of the rounds’ p50, then p95; line: min–max over rounds.', p2],
    ['P3 · requests per second, no-op task, 50 connections (higher is better)', `${results.meta.throughputTool}, each server beside the bare one on one core, rates scaled to the bare's; bar: median, line: min–max over rounds.`, p3],
    ['P1w · response time with 1 s tasks pending, servers taking turns (lower is better)', 'Each request alternates between the servers of one runtime; bar: median of the rounds’ p50s.', p1w],
  ]
  const svg: string[] = []
  let top = 0
  for (const [title, subtitle, rows] of panels) {
    if (!rows.length) continue
    const [part, height] = panel(title, subtitle, top, rows)
    svg.push(part)
    top += height + 10
  }
  const height = top + 30
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif">
<rect width="100%" height="100%" fill="#fff"/>
${svg.join('\n')}
<text x="20" y="${height - 12}" font-size="11" fill="#777">finish-request bench, ${esc(results.meta.date)}, ${esc(results.meta.commit)} · orange: finish-request · dark grey: bare server (the floor) · light grey: control (bare + setTimeout) · blue: naive and peers</text>
</svg>
`
}
