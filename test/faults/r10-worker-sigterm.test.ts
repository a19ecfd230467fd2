// R10 worker SIGTERM: 100 jobs in flight, SIGTERM. Each finishes within the grace
// period or goes back to the queue and is finished by the next worker: none lost,
// none done twice, and the worker exits 0 on its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sleep } from './client.ts'
import { figures } from './figures.ts'
import { durableRuntimes, enqueueAll, tally } from './durable/processes.ts'
import { stores, type TestStore } from '../helpers/stores.ts'

const JOBS = 100
const GRACE_PERIOD_MS = 500

describe.each(stores)('on $name', (kind) => {
  let store: TestStore
  beforeAll(async () => void (store = await kind.start()))
  afterAll(() => store?.stop())

  describe.each(durableRuntimes)('R10 worker SIGTERM on $name', (runtime) => {
    it('in-flight jobs finish within the grace period or are finished by the next worker, each exactly once', async () => {
      const env = { STORE_URL: store.url, QUEUE: `r10-${runtime.name}`, GRACE_PERIOD: String(GRACE_PERIOD_MS) }
      // From 100 ms to 1.5 s: some end inside the grace period, the rest cannot.
      const jobs = Array.from({ length: JOBS }, (_, i) => ({ id: `r10:${i}`, ms: 100 + Math.floor(Math.random() * 1400) }))
      await enqueueAll(store.url, env.QUEUE, jobs)
      const first = await runtime.start('worker.ts', { ...env, ROLE: 'first' })
      const second = { current: undefined as Awaited<ReturnType<typeof runtime.start>> | undefined }
      try {
        await first.waitFor(() => tally(first.events, 'started').size === JOBS, 15_000, `all ${JOBS} jobs to start`)
        const signalledAt = performance.now()
        first.kill('SIGTERM')
        const exit = await Promise.race([first.exited, sleep(GRACE_PERIOD_MS + 10_000).then(() => 'still running' as const)])
        const exitMs = performance.now() - signalledAt
        second.current = await runtime.start('worker.ts', { ...env, ROLE: 'second' })
        const next = second.current
        const doneByFirst = tally(first.events, 'done')
        const returned = first.events.filter((e) => e.type === 'report' && e.status === 'abandoned').map((e) => e.id as string)
        await next.waitFor(() => tally(next.events, 'done').size >= returned.length, 20_000, `the ${returned.length} returned jobs`)
        const done = tally([...first.events, ...next.events], 'done')

        figures('R10', `${runtime.name} on ${kind.name}`, {
          jobs: JOBS,
          gracePeriodMs: GRACE_PERIOD_MS,
          doneInGrace: doneByFirst.size,
          returnedToQueue: returned.length,
          doneByNext: tally(next.events, 'done').size,
          lost: jobs.filter((j) => !done.has(j.id)).length,
          doneTwice: [...done.values()].filter((n) => n > 1).length,
          exit: typeof exit === 'string' ? exit : exit.code,
          exitMs: Math.round(exitMs),
        })

        expect(exit).toEqual({ code: 0, signal: null })
        // Both outcomes happened: the signal landed with jobs in flight.
        expect(doneByFirst.size).toBeGreaterThan(0)
        expect(returned.length).toBeGreaterThan(0)
        expect(doneByFirst.size + returned.length).toBe(JOBS)
        // The next worker did exactly the returned jobs, and every job was done once.
        expect([...tally(next.events, 'done').keys()].sort()).toEqual([...returned].sort())
        expect(jobs.filter((j) => done.get(j.id) !== 1)).toEqual([])
      } finally {
        await first.stop()
        await second.current?.stop()
      }
    })
  })
})
