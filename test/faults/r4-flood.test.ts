// R4 flood at 10× maxPendingTasks: admission control keeps memory bounded, overflow
// gets 503 + Retry-After, accepted work all completes, and 200s return afterwards.
import { Agent } from 'node:http'
import { describe, expect, it } from 'vitest'
import { get, json, loops, sleep, until, type Outcome } from './client.ts'
import { figures, MiB, mib } from './figures.ts'
import { runtimes } from './runtimes.ts'
import { stats } from './stats.ts'

const MAX_PENDING = 100
const CONNECTIONS = 10 * MAX_PENDING
const FLOOD_MS = 2000
const TASK_KIB = 256
const TASK_MS = 200
// What the library holds is exact: never more than MAX_PENDING tasks (checked on the
// server's own pending count). What a user sees is RSS: at most MAX_PENDING live tasks
// of TASK_KIB (25 MiB), plus what the runtime has not yet collected of finished tasks'
// buffers and 1 000 connections. Bound: baseline + 256 MiB (seen: +75 to +136 MiB).
// The same flood without admission control (maxPendingTasks 1 000 000) goes to +650
// (Node, Deno) to +1 120 MiB (Bun), so the bound tells the two apart.
const RSS_BOUND = 256 * MiB

type Sent = { id: string; outcome: Outcome }

describe.each(runtimes)('R4 flood at 10× maxPendingTasks on $name', (runtime) => {
  it(`${CONNECTIONS} connections against maxPendingTasks ${MAX_PENDING}: bounded RSS, 503 + Retry-After, nothing accepted lost`, async () => {
    const served = await runtime.start({ MAX_PENDING_TASKS: String(MAX_PENDING) })
    const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS })
    try {
      const baseline = await json<{ rss: number }>(`${served.url}stats/reset-peaks`)
      const sent: Sent[] = []
      let n = 0
      const floodStart = Date.now()
      await loops(CONNECTIONS, () => Date.now() - floodStart > FLOOD_MS, async () => {
        const id = `r4-${++n}`
        sent.push({ id, outcome: await get(`${served.url}hold?id=${id}&kb=${TASK_KIB}&ms=${TASK_MS}`, { agent }) })
      })
      const floodEnded = performance.now()

      // 200s return: the tasks accepted last still hold their slots for up to TASK_MS,
      // then the server is idle and takes every request again.
      let recoveredAfterMs = -1
      await until(async () => {
        const outcome = await get(`${served.url}stats`, { agent })
        if (outcome.status !== 200 || JSON.parse(outcome.body).pending !== 0) return false
        recoveredAfterMs = performance.now() - floodEnded
        return true
      }, 5000, 'the server to be idle after the flood')
      const after = []
      for (let i = 0; i < 20; i++) after.push((await get(`${served.url}hold?id=r4-after-${++n}&kb=1&ms=1`, { agent })).status)

      const accepted = sent.filter((s) => s.outcome.status === 200)
      const refused = sent.filter((s) => s.outcome.status === 503)
      const other = sent.filter((s) => s.outcome.status !== 200 && s.outcome.status !== 503)
      const reported = () =>
        new Map(served.events.filter((e) => e.type === 'report' && e.name === 'hold').map((e) => [e.id, e.status]))
      await until(() => accepted.every((s) => reported().has(s.id)), 10_000, 'every accepted task to be reported').catch(() => {})
      await sleep(100)
      const s = await stats(served)
      const lost = accepted.filter((a) => reported().get(a.id) !== 'ok')

      figures('R4', runtime.name, {
        connections: CONNECTIONS,
        maxPendingTasks: MAX_PENDING,
        requests: sent.length,
        accepted: accepted.length,
        refused503: refused.length,
        other: other.length,
        baselineRssMiB: mib(baseline.rss),
        peakRssMiB: mib(s.memory.peakRss),
        boundMiB: mib(baseline.rss + RSS_BOUND),
        peakPending: s.peakPending,
        recoveredAfterMs: Math.round(recoveredAfterMs),
        lost: lost.length,
      })

      // The flood did overflow, and some work was accepted throughout.
      expect(refused.length).toBeGreaterThan(accepted.length)
      expect(accepted.length).toBeGreaterThan(MAX_PENDING)
      expect(other.map((o) => o.outcome.status || o.outcome.error)).toEqual([])
      for (const r of refused) expect(r.outcome.status === 503 && r.outcome.headers['retry-after']).toBe('1')
      expect(s.peakPending).toBeLessThanOrEqual(MAX_PENDING)
      expect(s.memory.peakRss).toBeLessThanOrEqual(baseline.rss + RSS_BOUND)
      expect(lost.map((a) => a.id)).toEqual([])
      expect(after).toEqual(Array(20).fill(200))
      // Tasks take 200 ms, so the server is idle well within a second of the flood.
      expect(recoveredAfterMs).toBeLessThan(1000)
      expect(s.unhandledRejection + s.uncaughtException).toBe(0)
    } finally {
      agent.destroy()
      await served.stop()
    }
  })
})
