// R6 no cross-request leakage: 1 000 concurrent requests whose handlers and tasks
// interleave. Each task, and the task it registers, sees its own request, its own
// AsyncLocalStorage store and its own Hono contextStorage() context; every report
// carries the request that registered it and is made in that request's context.
import { Agent } from 'node:http'
import { describe, expect, it } from 'vitest'
import { get, until } from './client.ts'
import { figures } from './figures.ts'
import { runtimes } from './runtimes.ts'
import { stats } from './stats.ts'

const REQUESTS = 1000

describe.each(runtimes)('R6 no cross-request leakage on $name', (runtime) => {
  it(`${REQUESTS} concurrent requests: every task and report carries its own request`, async () => {
    const served = await runtime.start()
    // One socket per request: all 1 000 are in flight at once.
    const agent = new Agent({ keepAlive: true, maxSockets: REQUESTS })
    try {
      const ids = Array.from({ length: REQUESTS }, (_, i) => `r6-${i}`)
      // Random waits in handler and task so that they finish in another order than they began.
      const outcomes = await Promise.all(
        ids.map((id) => get(`${served.url}whoami?id=${id}&wait=${Math.floor(Math.random() * 50)}`, { agent, headers: { 'x-id': id } })),
      )
      const answeredWrong = ids.filter((id, i) => {
        const o = outcomes[i]
        return o.status !== 200 || JSON.stringify(JSON.parse(o.body)) !== JSON.stringify({ id, header: id })
      })

      const reports = () => served.events.filter((e) => e.type === 'report')
      await until(() => reports().length >= 2 * REQUESTS, 15_000, `${2 * REQUESTS} reports`).catch(() => {})
      const ran = served.events.filter((e) => e.type === 'ran')
      // A report's name says which request registered the task; its request.url must agree.
      const misattributed = reports().filter((e) => String(e.name).split(':')[1] !== e.id || e.status !== 'ok')
      const reportedInOtherContext = reports().filter((e) => e.store !== e.id)
      const sawOther = ran.filter((e) => e.seen !== e.id || (e.header !== undefined && e.header !== e.id))
      const sawOtherStore = ran.filter((e) => e.store !== e.id)
      const sawOtherHonoContext = ran.filter((e) => e.hono !== e.id)
      const perId = new Map<string, number>()
      for (const r of reports()) perId.set(String(r.id), (perId.get(String(r.id)) ?? 0) + 1)
      const notTwice = ids.filter((id) => perId.get(id) !== 2)
      const s = await stats(served)

      figures('R6', runtime.name, {
        requests: REQUESTS,
        tasks: 2 * REQUESTS,
        answeredWrong: answeredWrong.length,
        reports: reports().length,
        tasksRan: ran.length,
        misattributed: misattributed.length,
        sawAnotherRequest: sawOther.length,
        sawAnotherStore: sawOtherStore.length,
        sawAnotherHonoContext: sawOtherHonoContext.length,
        reportedInAnotherContext: reportedInOtherContext.length,
        lost: 2 * REQUESTS - ran.length,
      })

      expect(answeredWrong).toEqual([])
      expect(misattributed).toEqual([])
      expect(sawOther).toEqual([])
      expect(sawOtherStore).toEqual([])
      expect(sawOtherHonoContext).toEqual([])
      expect(reportedInOtherContext).toEqual([])
      expect(ran).toHaveLength(2 * REQUESTS)
      expect(notTwice).toEqual([])
      expect(s.pending).toBe(0)
      expect(s.unhandledRejection + s.uncaughtException).toBe(0)
    } finally {
      agent.destroy()
      await served.stop()
    }
  })
})
