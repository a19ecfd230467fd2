// R1 SIGTERM under load: every 2xx's task completes within the grace period (a drain,
// not an abandonment), tasks that cannot finish are aborted and reported abandoned,
// each task is reported exactly once, and nothing is accepted once the server closes.
import { Agent } from 'node:http'
import { readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { get, loops, sleep } from './client.ts'
import { figures } from './figures.ts'
import { runtimes } from './runtimes.ts'

const CONNECTIONS = 50
const LOAD_BEFORE_SIGNAL_MS = 1000
// Four times the longest work task (500 ms): every one of them must complete in the
// drain. Only the `stuck` tasks, which end when their signal aborts, outlive it.
const GRACE_PERIOD_MS = 2000
const STUCK = 4

type Sent = { id: string; startedAt: number; status: number; error?: string }

/** How refused requests failed, e.g. `ECONNREFUSED:1800,ECONNRESET:18`. */
function codes(sent: Sent[]): string {
  const tally = new Map<string, number>()
  for (const s of sent) if (s.error) tally.set(s.error, (tally.get(s.error) ?? 0) + 1)
  return [...tally].map(([code, count]) => `${code}:${count}`).join(',') || 'none'
}

describe.each(runtimes)('R1 SIGTERM under load on $name', (runtime) => {
  it('every 2xx has its task completed, stuck ones abandoned, each reported once; after the signal only 503 or refused', async () => {
    const ledgerFile = join(tmpdir(), `finish-request-r1-${runtime.name}-${process.pid}.jsonl`)
    rmSync(ledgerFile, { force: true })
    const served = await runtime.start({ LEDGER: ledgerFile, GRACE_PERIOD: String(GRACE_PERIOD_MS) })
    const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS })
    let exited = false
    void served.exited.then(() => (exited = true))
    const sent: Sent[] = []
    let signalSeenAt = Infinity
    let exit: Awaited<typeof served.exited> | 'still running'
    let lines: Array<Record<string, any>>
    try {
      let n = 0
      const startedLoad = Date.now()
      const load = loops(CONNECTIONS, () => exited || Date.now() - startedLoad > 15_000, async () => {
        const id = `r1-${++n}`
        const ms = 50 + Math.floor(Math.random() * 451)
        const startedAt = performance.now()
        const outcome = await get(`${served.url}work?id=${id}&ms=${ms}`, { agent })
        sent.push({ id, startedAt, status: outcome.status, error: outcome.error })
        // Refused connections fail at once: don't spin while the process exits.
        if (outcome.status === 0) await sleep(5)
      })

      // Half the stuck tasks have a timeout (a signal of their own), half share the server's.
      for (let i = 0; i < STUCK; i++) {
        const outcome = await get(`${served.url}stuck?id=r1-stuck-${i}${i % 2 ? '&timeout=60000' : ''}`, { agent })
        expect(outcome.status).toBe(200)
      }
      await sleep(LOAD_BEFORE_SIGNAL_MS)
      served.kill('SIGTERM')
      await served.waitFor((e) => e.type === 'signal', 10_000, 'the server to see SIGTERM')
      // Conservative: the server was already closing before this moment.
      signalSeenAt = performance.now()
      // It must stop by itself: grace period plus a generous margin.
      exit = await Promise.race([served.exited, sleep(10_000).then(() => 'still running' as const)])
      await load
      lines = readFileSync(ledgerFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line))
    } finally {
      agent.destroy()
      await served.stop()
      rmSync(ledgerFile, { force: true })
    }

    const completed = new Set(lines.filter((e) => e.type === 'done').map((e) => e.id))
    const reports = lines.filter((e) => e.type === 'report')
    const abandoned = new Set(reports.filter((e) => e.status === 'abandoned').map((e) => e.id))
    const reportsPerId = new Map<string, number>()
    for (const r of reports) reportsPerId.set(r.id, (reportsPerId.get(r.id) ?? 0) + 1)
    const stuckIds = Array.from({ length: STUCK }, (_, i) => `r1-stuck-${i}`)

    const accepted = sent.filter((s) => s.status >= 200 && s.status < 300)
    const lost = accepted.filter((s) => !completed.has(s.id))
    const late = sent.filter((s) => s.startedAt > signalSeenAt)
    const lateAccepted = late.filter((s) => s.status !== 503 && s.status !== 0)
    const acceptedCompleted = accepted.filter((s) => completed.has(s.id)).length
    const acceptedAbandoned = accepted.filter((s) => abandoned.has(s.id)).length

    figures('R1', runtime.name, {
      connections: CONNECTIONS,
      requests: sent.length,
      accepted: accepted.length,
      completed: acceptedCompleted,
      abandoned: acceptedAbandoned,
      afterSignal: late.length,
      afterSignal503: late.filter((s) => s.status === 503).length,
      afterSignalRefused: late.filter((s) => s.status === 0).length,
      refusedAs: codes(late),
      otherStatuses: sent.filter((s) => s.status !== 0 && s.status !== 503 && (s.status < 200 || s.status >= 300)).length,
      lost: lost.length,
      stuckAbandoned: stuckIds.filter((id) => abandoned.has(id)).length,
      exit: typeof exit === 'string' ? exit : exit.code,
    })

    // The stuck tasks were abandoned: the documented exit code says work was lost.
    expect(exit).toEqual({ code: 75, signal: null })
    // The load was real, and the signal landed while tasks were in flight.
    expect(accepted.length).toBeGreaterThan(200)
    expect(acceptedCompleted).toBeGreaterThan(0)
    expect(late.length).toBeGreaterThan(0)
    // A drain, not an abandonment: each 2xx's task, shorter than the grace period, completed.
    expect(lost.map((s) => s.id)).toEqual([])
    expect(acceptedAbandoned).toBe(0)
    // What could not finish was aborted (with or without a timeout of its own) and reported abandoned.
    for (const id of stuckIds) {
      expect(reports.find((e) => e.id === id), id).toMatchObject({ status: 'abandoned', error: { name: 'AbortError' } })
      expect(lines.find((e) => e.type === 'aborted' && e.id === id), id).toMatchObject({ reason: 'AbortError' })
    }
    // Counted, not found: exactly one report per task, and pending never below zero.
    expect([...accepted.map((s) => s.id), ...stuckIds].filter((id) => reportsPerId.get(id) !== 1)).toEqual([])
    expect([...reportsPerId].filter(([, count]) => count !== 1)).toEqual([])
    expect(reports.filter((e) => e.pending < 0)).toEqual([])
    // Requests sent once the server was closing: refused at the door or 503, never a 2xx.
    expect(lateAccepted).toEqual([])
    // Nothing but 2xx, 503 or a refused connection.
    expect(sent.filter((s) => s.status !== 0 && s.status !== 503 && (s.status < 200 || s.status >= 300))).toEqual([])
  })
})
