// R7 web process killed: 200 requests each register a durable job; the web process
// gets SIGKILL at a random moment while requests are in flight. Every request that got
// a 2xx has its job done exactly once, by a worker in another process.
import { Agent } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { get, pool } from './client.ts'
import { figures } from './figures.ts'
import { durableRuntimes, tally } from './durable/processes.ts'
import { stores, type TestStore } from '../helpers/stores.ts'

const REQUESTS = 200
const CONNECTIONS = 20

describe.each(stores)('on $name', (kind) => {
  let store: TestStore
  beforeAll(async () => void (store = await kind.start()))
  afterAll(() => store?.stop())

  describe.each(durableRuntimes)('R7 web process killed on $name', (runtime) => {
    it('every 2xx has its job done exactly once by a worker in another process', async () => {
      const env = { STORE_URL: store.url, QUEUE: `r7-${runtime.name}` }
      const worker = await runtime.start('worker.ts', { ...env, ROLE: 'worker' })
      const web = await runtime.start('web.ts', { ...env, ROLE: 'web' })
      const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS })
      try {
        // Somewhere among the 200: the first answers are in, many are still to come.
        const killAfter = 20 + Math.floor(Math.random() * 140)
        let answered = 0
        const outcomes = await pool(REQUESTS, CONNECTIONS, async (i) => {
          const id = `r7:${i}`
          const outcome = await get(`${web.url}job?id=${encodeURIComponent(id)}&ms=${10 + (i % 50)}`, { agent })
          if (outcome.status === 200 && ++answered === killAfter) web.kill('SIGKILL')
          return { id, status: outcome.status }
        })
        const exit = await web.exited
        const accepted = outcomes.filter((o) => o.status >= 200 && o.status < 300)
        await worker.waitFor(
          () => accepted.every((o) => tally(worker.events, 'done').has(o.id)),
          20_000,
          `the jobs of all ${accepted.length} answered requests`,
        )
        const done = tally(worker.events, 'done')

        figures('R7', `${runtime.name} on ${kind.name}`, {
          requests: REQUESTS,
          accepted: accepted.length,
          failedByKill: outcomes.filter((o) => o.status === 0).length,
          killedAfter: killAfter,
          acceptedDoneOnce: accepted.filter((o) => done.get(o.id) === 1).length,
          // Enqueued by a request the kill cut off before its answer: done too, not a promise broken.
          doneWithoutAnswer: [...done.keys()].filter((id) => !accepted.some((o) => o.id === id)).length,
          doneInWeb: web.events.filter((e) => e.type === 'done').length,
          lost: accepted.filter((o) => !done.has(o.id)).length,
        })

        expect(exit.signal).toBe('SIGKILL')
        // The kill landed mid-run: some requests got an answer, some did not.
        expect(accepted.length).toBeGreaterThanOrEqual(killAfter)
        expect(accepted.length).toBeLessThan(REQUESTS)
        expect(accepted.filter((o) => done.get(o.id) !== 1)).toEqual([])
        expect([...done.values()].filter((n) => n !== 1)).toEqual([])
        // The store was up throughout: no job fell back to the web process.
        expect(web.events.filter((e) => e.type === 'done' || e.type === 'error')).toEqual([])
      } finally {
        agent.destroy()
        await web.stop()
        await worker.stop()
      }
    })
  })
})
