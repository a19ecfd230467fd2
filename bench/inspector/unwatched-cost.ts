// What the inspector's history costs while nobody watches: the per-task cost of the
// supervisor's bookkeeping with no inspector ('none'), with the inspector as it is, which
// hears only ends while unwatched and keeps the last `history` in a ring ('history'), with
// a listener to every event that does nothing ('noop': events and a report built for every
// task), and with every event put in the task log ('ring', what following every event
// unwatched would cost). Run: npx tsx bench/inspector/unwatched-cost.ts
import { Supervisor } from '../../src/supervisor.ts'
import { Hub } from '../../src/inspector/hub.ts'
import { TaskLog } from '../../src/inspector/task-log.ts'
import { wireEvent } from '../../src/inspector/wire.ts'
const request = { method: 'POST', url: 'http://localhost:3000/export' }
const N = 200_000
function run(mode: string): number {
  const s = new Supervisor({ onError: () => {} })
  const log = new TaskLog(200)
  if (mode === 'noop') s.subscribe(() => {})
  if (mode === 'ring') s.subscribe((e) => log.apply(wireEvent(e, s.pending)))
  if (mode === 'history') new Hub(s, { history: 200, maxWatchers: 1, heartbeat: 15_000, flushInterval: 100, maxQueued: 1 << 18 })
  const task = () => {}
  const t0 = performance.now()
  for (let i = 0; i < N; i++) s.create('t', request.method, request.url, undefined).start(task)
  return ((performance.now() - t0) * 1e6) / N
}
const modes = ['none', 'history', 'noop', 'ring']
for (const mode of [...modes, ...modes]) run(mode) // warm up
const results: Record<string, number[]> = Object.fromEntries(modes.map((mode) => [mode, []]))
for (let r = 0; r < 7; r++) for (const mode of modes) results[mode].push(run(mode))
for (const [mode, xs] of Object.entries(results)) console.log(mode, 'median ns/task', xs.sort((a, b) => a - b)[3].toFixed(0))
