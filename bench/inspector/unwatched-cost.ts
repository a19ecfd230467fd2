// Why the inspector subscribes only while someone watches, instead of always keeping a
// small ring buffer: the per-task cost of the supervisor's bookkeeping, unwatched ('none'),
// with a listener that does nothing ('noop': events and a report built for every task),
// and with what an always-on history would do ('ring'). Run: npx tsx bench/inspector/unwatched-cost.ts
import { Supervisor } from '../../src/supervisor.ts'
import { TaskLog } from '../../src/inspector/task-log.ts'
import { wireEvent } from '../../src/inspector/wire.ts'
const request = { method: 'POST', url: 'http://localhost:3000/export' }
const N = 200_000
function run(mode: string): number {
  const s = new Supervisor({ onError: () => {} })
  const log = new TaskLog(200)
  if (mode === 'noop') s.subscribe(() => {})
  if (mode === 'ring') s.subscribe((e) => log.apply(wireEvent(e, s.pending)))
  const task = () => {}
  const t0 = performance.now()
  for (let i = 0; i < N; i++) s.create('t', request.method, request.url, undefined).start(task)
  return ((performance.now() - t0) * 1e6) / N
}
for (const mode of ['none', 'noop', 'ring', 'none', 'noop', 'ring']) run(mode) // warm up
const results: Record<string, number[]> = { none: [], noop: [], ring: [] }
for (let r = 0; r < 7; r++) for (const mode of ['none', 'noop', 'ring']) results[mode].push(run(mode))
for (const [mode, xs] of Object.entries(results)) console.log(mode, 'median ns/task', xs.sort((a, b) => a - b)[3].toFixed(0))
