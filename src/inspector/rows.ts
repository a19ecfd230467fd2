import { escapeHtml } from './escape.ts'
import type { TaskEntry } from './wire.ts'

// The server-side rendering of the page's task list, so that GET / shows every known
// task's name and status as text, before (or without) any script. page-script.ts renders
// the same markup in the browser from the event stream; keep the two in step.

export function formatDuration(ms: number): string {
  if (ms < 1) return '<1 ms'
  if (ms < 1000) return `${Math.round(ms)} ms`
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`
}

function progressCell(entry: TaskEntry): string {
  if (entry.done === undefined) return ''
  const ratio = entry.total ? Math.min(1, Math.max(0, entry.done / entry.total)) : undefined
  const label = entry.total === undefined ? String(entry.done) : `${entry.done}/${entry.total}`
  const bar = ratio === undefined ? '' : `<span class="bar"><span style="width:${(ratio * 100).toFixed(1)}%"></span></span>`
  return `${bar}<span class="count">${escapeHtml(label)}</span>`
}

export function renderRow(entry: TaskEntry, now: number): string {
  const duration =
    entry.durationMs !== undefined
      ? formatDuration(entry.durationMs)
      : entry.startedAt !== undefined
        ? formatDuration(now - entry.startedAt)
        : ''
  const error = entry.error ? `<div class="err">${escapeHtml(`${entry.error.name}: ${entry.error.message}`)}</div>` : ''
  return (
    `<tr class="s-${entry.status}" data-id="${entry.id}">` +
    `<td><span class="status">${entry.status}</span></td>` +
    `<td class="name">${escapeHtml(entry.name)}${error}</td>` +
    `<td class="req"><span class="method">${escapeHtml(entry.method)}</span> <span class="url">${escapeHtml(entry.url)}</span></td>` +
    `<td class="dur">${escapeHtml(duration)}${entry.delivery ? ` <span class="delivery" title="how delivery was known">${entry.delivery}</span>` : ''}</td>` +
    `<td class="prog">${progressCell(entry)}</td>` +
    `</tr>`
  )
}

export function renderFailure(entry: TaskEntry): string {
  const message = entry.error ? `${entry.error.name}: ${entry.error.message}` : entry.status
  return (
    `<li class="s-${entry.status}"><span class="status">${entry.status}</span> ` +
    `<span class="name">${escapeHtml(entry.name)}</span> <span class="msg">${escapeHtml(message)}</span> ` +
    `<span class="url">${escapeHtml(`${entry.method} ${entry.url}`)}</span></li>`
  )
}

export const failed = (entry: TaskEntry): boolean =>
  entry.status === 'error' || entry.status === 'timeout' || entry.status === 'abandoned'
