// R9 engine down: the store (Redis, PostgreSQL) crashes before requests arrive. Every
// request still gets its answer, and the documented fallback happens for each (the job
// runs in the web process, reported once through onError): no silent loss. The store
// restarted: new jobs go to the queue again, without restarting the web process (or
// the worker).
// And cold: a web process started while Redis is down falls back at once on every
// request, not after enqueueTimeout each (issue 19), and enqueues once Redis is back.
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

    // ioredis's connection states: Redis only.
    if (kind.name === 'redis') {
    it('a web process started while Redis is down answers every request at once, not after enqueueTimeout, and enqueues once it is back', async () => {
      const env = { STORE_URL: store.url, QUEUE: `r9-cold-${runtime.name}` }
      await store.kill()
      const web = await runtime.start('web.ts', { ...env, ROLE: 'web' })
      const agent = new Agent({ keepAlive: true, maxSockets: 1 })
      const timed = async (id: string) => {
        const started = performance.now()
        const outcome = await get(`${web.url}job?id=${id}&ms=5`, { agent })
        return { id, status: outcome.status, ms: performance.now() - started }
      }
      let worker: Awaited<ReturnType<typeof runtime.start>> | undefined
      try {
        // One at a time, so each answer's time is that request's own wait.
        const down: Array<Awaited<ReturnType<typeof timed>>> = []
        for (let i = 0; i < 10; i++) down.push(await timed(`cold-${i}`))
        await web.waitFor(() => down.every((d) => tally(web.events, 'done').has(d.id)), 10_000, 'every fallback job to run')

        await store.restart()
        const restartedAt = performance.now()
        worker = await runtime.start('worker.ts', { ...env, ROLE: 'worker' })
        let probe = 0
        await until(
          async () => {
            const id = `cold-probe-${probe++}`
            await timed(id)
            return !web.events.some((e) => e.type === 'error' && e.id === id)
          },
          20_000,
          'a job to be enqueued once Redis is back',
        )
        const backMs = performance.now() - restartedAt
        const queued = `cold-probe-${probe - 1}`
        await worker.waitFor((e) => e.type === 'done' && e.id === queued, 10_000, 'the worker to run the job queued after the restart')

        const errors = tally(web.events, 'error')
        figures('R9', `${runtime.name} cold`, {
          downRequests: down.length,
          down2xx: down.filter((d) => d.status === 200).length,
          firstMs: Math.round(down[0].ms),
          slowestLaterMs: Math.round(Math.max(...down.slice(1).map((d) => d.ms))),
          enqueueTimeoutMs: 1_000,
          backToQueueMs: Math.round(backMs),
          probes: probe,
        })

        expect(down.filter((d) => d.status !== 200)).toEqual([])
        // app.ts's enqueueTimeout is 1 000 ms: every request used to wait all of it.
        expect(down.filter((d) => d.ms > 500)).toEqual([])
        expect(down.filter((d) => errors.get(d.id) !== 1)).toEqual([])
        expect(web.events.find((e) => e.type === 'error')).toMatchObject({ name: 'EnqueueError', message: expect.stringContaining('Redis is unreachable') })
        // Queued, not run here as well.
        expect(tally(web.events, 'done').has(queued)).toBe(false)
      } finally {
        agent.destroy()
        await web.stop()
        await worker?.stop()
      }
    })
    }
  })
})
