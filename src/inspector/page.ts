import { failed, renderFailure, renderRow } from './rows.ts'
import { script } from './page-script.ts'
import { style } from './page-style.ts'
import type { TaskEntry } from './wire.ts'

/** The whole inspector page: markup, style and script in one response, nothing fetched. */
export function renderPage(tasks: TaskEntry[], pending: number, now: number): string {
  const newest = tasks.slice().reverse()
  const rows = newest.map((entry) => renderRow(entry, now)).join('') || '<tr><td class="empty" colspan="5">no tasks yet</td></tr>'
  const failures = newest.filter(failed).map(renderFailure).join('') || '<li class="empty">none</li>'
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tasks · finish-request</title>
<style>${style}</style>
</head>
<body>
<header><h1>Tasks</h1><span class="pending" id="pending">${pending} pending</span><span class="conn" id="conn">connecting…</span></header>
<h2>Durations</h2>
<svg id="chart" role="img" aria-label="Durations of finished tasks over time"></svg>
<h2>Failed</h2>
<ul id="failed">${failures}</ul>
<h2>Recent tasks</h2>
<table>
<thead><tr><th>Status</th><th>Task</th><th>Request</th><th>Duration</th><th>Progress</th></tr></thead>
<tbody id="tasks">${rows}</tbody>
</table>
<script>${script}</script>
</body>
</html>
`
}
