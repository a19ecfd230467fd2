// R3 disconnect storm: 1 000 clients hang up, half while the handler is still working
// (before the response), half on the first bytes of a streamed body (during it).
// Every one of their tasks runs: ignore_user_abort.
import { describe, expect, it } from 'vitest'
import { hangUp, until } from './client.ts'
import { figures } from './figures.ts'
import { runtimes } from './runtimes.ts'
import { stats } from './stats.ts'

const CLIENTS = 1000
const CONCURRENCY = 50

describe.each(runtimes)('R3 disconnect storm on $name', (runtime) => {
  it(`${CLIENTS} clients hang up before or during the response: ${CLIENTS} tasks run`, async () => {
    const served = await runtime.start()
    try {
      const started = performance.now()
      let next = 0
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < CLIENTS) {
            const i = next++
            // `before`: the handler waits 50 ms, the client leaves after 10. `during`: a
            // 20-chunk body 5 ms apart, the client leaves on the first chunk.
            if (i % 2 === 0) await hangUp(served.url, `/hangup?id=r3-${i}&delay=50`, 'before', 10)
            else await hangUp(served.url, `/hangup?id=r3-${i}&chunks=20`, 'during')
          }
        }),
      )
      const hungUpIn = (performance.now() - started) / 1000
      const ids = () => new Set(served.events.filter((e) => e.type === 'report' && e.name === 'hangup').map((e) => e.id))
      await until(() => ids().size >= CLIENTS, 15_000, `${CLIENTS} hangup reports`).catch(() => {})
      const reports = served.events.filter((e) => e.type === 'report' && e.name === 'hangup')
      const s = await stats(served)

      figures('R3', runtime.name, {
        clients: CLIENTS,
        concurrency: CONCURRENCY,
        hungUpBefore: CLIENTS / 2,
        hungUpDuring: CLIENTS / 2,
        seconds: hungUpIn,
        tasksRun: ids().size,
        ok: reports.filter((e) => e.status === 'ok').length,
        pending: s.pending,
        unhandledRejection: s.unhandledRejection,
        uncaughtException: s.uncaughtException,
        lost: CLIENTS - ids().size,
      })

      const missing = Array.from({ length: CLIENTS }, (_, i) => `r3-${i}`).filter((id) => !ids().has(id))
      expect(missing).toEqual([])
      expect(reports).toHaveLength(CLIENTS)
      expect(reports.every((e) => e.status === 'ok')).toBe(true)
      expect(s.pending).toBe(0)
      expect(s.unhandledRejection + s.uncaughtException).toBe(0)
    } finally {
      await served.stop()
    }
  })
})
