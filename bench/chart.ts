// A hand-written SVG of P2 (p50 and p95 response time with a 20 ms CPU task, every
// runtime) and P3 (requests/s on Node): plain rects and text, no dependency.
import { ms } from './report.ts'
import type { Results, ServerResult } from './results.ts'

const WIDTH = 920
const LABEL = 300
const BAR_AREA = 480
const ROW = 30
const COLORS = { bare: '#555f6d', after: '#e4572e', control: '#a7adb5', other: '#4c78a8' }

const esc = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
const colorOf = (s: ServerResult) =>
  s.role === 'after' ? COLORS.after : s.role === 'bare' ? COLORS.bare : s.role === 'control' ? COLORS.control : COLORS.other
const nameOf = (s: ServerResult) => `${s.runtime} · ${s.label}`

interface Bar {
  value: number
  label: string
  opacity: number
}

/** One horizontal bar chart; returns its SVG and height. */
function panel(title: string, subtitle: string, top: number, rows: { server: ServerResult; bars: Bar[] }[]): [string, number] {
  const max = Math.max(1e-9, ...rows.flatMap((r) => r.bars.map((b) => b.value)))
  const parts = [
    `<text x="20" y="${top + 22}" font-size="16" font-weight="bold">${esc(title)}</text>`,
    `<text x="20" y="${top + 40}" font-size="12" fill="#555">${esc(subtitle)}</text>`,
  ]
  let y = top + 56
  for (const { server, bars } of rows) {
    parts.push(`<text x="${LABEL - 10}" y="${y + ROW / 2 + 4}" font-size="12" text-anchor="end">${esc(nameOf(server))}</text>`)
    const height = (ROW - 8) / Math.max(1, bars.length)
    bars.forEach((bar, i) => {
      const by = y + 4 + i * height
      const width = Math.max(1, (bar.value / max) * BAR_AREA)
      parts.push(
        `<rect x="${LABEL}" y="${by.toFixed(1)}" width="${width.toFixed(1)}" height="${(height - 1).toFixed(1)}" fill="${colorOf(server)}" fill-opacity="${bar.opacity}"/>`,
        `<text x="${(LABEL + width + 6).toFixed(1)}" y="${(by + height / 2 + 3.5).toFixed(1)}" font-size="10.5" fill="#333">${esc(bar.label)}</text>`,
      )
    })
    y += ROW
  }
  return [parts.join('\n'), y - top + 10]
}

export function renderChart(results: Results): string {
  const measured = results.servers.filter((s) => s.role !== 'reference' && !s.missing)
  const p2Rows = measured
    .filter((s) => s.p2p50 !== undefined)
    .map((server) => ({
      server,
      bars: [
        { value: server.p2p50!, label: `p50 ${ms(server.p2p50)}`, opacity: 1 },
        { value: server.p2p95!, label: `p95 ${ms(server.p2p95)}`, opacity: 0.55 },
      ],
    }))
  const bare = measured.find((s) => s.runtime === 'node' && s.role === 'bare')
  const p3Rows = measured
    .filter((s) => s.p3 !== undefined)
    .map((server) => ({
      server,
      bars: [
        {
          value: server.p3!,
          label: `${Math.round(server.p3!).toLocaleString('en-US')}/s${bare?.p3 ? ` (${(server.p3! / bare.p3).toFixed(2)}× bare)` : ''}`,
          opacity: 1,
        },
      ],
    }))
  const [p2, p2Height] = panel(
    'P2 · full response time while a 20 ms synchronous task runs (lower is better)',
    'One request every 100 ms; the task belongs to the request being timed. Bars: p50, then p95.',
    0,
    p2Rows,
  )
  const [p3, p3Height] = panel(
    `P3 · requests per second on Node, no-op task, 50 connections (higher is better)`,
    `${results.meta.throughputTool}, median of ${results.config.p3.rounds} rounds. ${results.meta.date}`,
    p2Height + 10,
    p3Rows,
  )
  const height = p2Height + p3Height + 30
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif">
<rect width="100%" height="100%" fill="#fff"/>
${p2}
${p3}
<text x="20" y="${height - 12}" font-size="11" fill="#777">finish-request bench · orange: finish-request · dark grey: bare server (the floor) · light grey: control (bare + setTimeout) · blue: naive and peers</text>
</svg>
`
}
