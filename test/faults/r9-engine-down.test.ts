// R9 engine down: the store (Redis, PostgreSQL) crashes before requests arrive. Every
// request still gets its answer, and the documented fallback happens for each (the job
// runs in the web process, reported once through onError): no silent loss. The store
// restarted: new jobs go to the queue again, without restarting the web process (or
// the worker).
import { Agent } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { get, pool, until } from './client.ts'
import { figures } from './figures.ts'
import { durableRuntimes, tally } from './durable/processes.ts'
import { stores, type TestStore } from '../helpers/stores.ts'

const REQUESTS = 30
const CONNECTIONS = 10

describe.each(stores)('on $name', (kind) => {
  let store: TestStore
  beforeAll(async () => void (store = await kind.start()))
  afterAll(() => store?.stop())

  describe.each(durableRuntimes)('R9 engine down on $name', (runtime) => {
    it('while the store is down every job falls back, reported once; once it is back, jobs go to the queue again', async () => {
      const env = { STORE_URL: store.url, QUEUE: `r9-${runtime.name}` }
      const worker = await runtime.start('worker.ts', { ...env, ROLE: 'worker' })
      const web = await runtime.start('web.ts', { ...env, ROLE: 'web' })
      const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS })
      const send = (ids: string[]) =>
        pool(ids.length, CONNECTIONS, async (i) => ({ id: ids[i], ...(await get(`${web.url}job?id=${ids[i]}&ms=5`, { agent })) }))
      try {
        // One job enqueued first, so the web process is connected: the outage is a crash
        // of a store it was using, which it notices at once rather than after enqueueTimeout.
        await send(['warm-up'])
        await worker.waitFor((e) => e.type === 'done' && e.id === 'warm-up', 10_000, 'the warm-up job')
        await store.kill()
        const downIds = Array.from({ length: REQUESTS }, (_, i) => `down-${i}`)
        const startedDown = performance.now()
        const down = await send(downIds)
        const downMs = performance.now() - startedDown
        await web.waitFor(() => downIds.every((id) => tally(web.events, 'done').has(id)), 10_000, 'every fallback job to run')

        await store.restart()
        const restartedAt = performance.now()
        // Until the web process has reconnected, a probe may still fall back: that is the contract too.
        let probe = 0
        await until(
          async () => {
            const id = `probe-${probe++}`
            await send([id])
            return !web.events.some((e) => e.type === 'error' && e.id === id)
          },
          20_000,
          'a job to be enqueued again after the restart',
        )
        const backMs = performance.now() - restartedAt
        const upIds = Array.from({ length: REQUESTS }, (_, i) => `up-${i}`)
        const up = await send(upIds)
        await worker.waitFor(() => upIds.every((id) => tally(worker.events, 'done').has(id)), 20_000, 'the worker to run every job sent after the restart')

        const errors = tally(web.events, 'error')
        const doneInWeb = tally(web.events, 'done')
        const doneByWorker = tally(worker.events, 'done')
        figures('R9', `${runtime.name} on ${kind.name}`, {
          downRequests: REQUESTS,
          down2xx: down.filter((o) => o.status === 200).length,
          // Each round is CONNECTIONS requests at once: about one request's latency.
          downMsPerRound: downMs / (REQUESTS / CONNECTIONS),
          fallbacks: web.events.filter((e) => e.type === 'error').length,
          fallbacksReported: downIds.filter((id) => errors.get(id) === 1).length,
          fallbacksRun: downIds.filter((id) => doneInWeb.get(id) === 1).length,
          backToQueueMs: Math.round(backMs),
          probes: probe,
          upRequests: REQUESTS,
          up2xx: up.filter((o) => o.status === 200).length,
          upDoneByWorker: upIds.filter((id) => doneByWorker.get(id) === 1).length,
          silentLosses: [...downIds, ...upIds].filter((id) => !doneInWeb.has(id) && !doneByWorker.has(id)).length,
        })

        // Down: every request answered 200, its job run once here, and the fallback reported once.
        expect(down.filter((o) => o.status !== 200)).toEqual([])
        expect(downIds.filter((id) => errors.get(id) !== 1 || doneInWeb.get(id) !== 1 || doneByWorker.has(id))).toEqual([])
        expect(web.events.find((e) => e.type === 'error')).toMatchObject({ name: 'EnqueueError' })
        // Every fallback, probes included, was reported once and run once here.
        expect([...errors]).toEqual([...doneInWeb])
        // Back up: no fallback, each job done once by the worker, none in the web process.
        expect(up.filter((o) => o.status !== 200)).toEqual([])
        expect(upIds.filter((id) => errors.has(id) || doneInWeb.has(id) || doneByWorker.get(id) !== 1)).toEqual([])
      } finally {
        agent.destroy()
        await web.stop()
        await worker.stop()
      }
    })
  })
})
