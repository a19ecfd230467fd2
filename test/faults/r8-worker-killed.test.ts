// R8 worker killed mid-job: SIGKILL a worker while it runs 100 jobs. Another worker
// completes all of them once BullMQ's stall detection has given them back, and each is
// reported done once. Locks and stall checks are short here so it takes seconds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { figures } from './figures.ts'
import { durableRuntimes, enqueueAll, tally } from './durable/processes.ts'
import { stores, type TestStore } from '../helpers/stores.ts'

const JOBS = 100
const STALL = { LOCK_MS: '1000', STALLED_MS: '500' }

describe.each(stores)('on $name', (kind) => {
  let store: TestStore
  beforeAll(async () => void (store = await kind.start()))
  afterAll(() => store?.stop())

  describe.each(durableRuntimes)('R8 worker killed mid-job on $name', (runtime) => {
    it('another worker completes every job after stall detection, each reported done once', async () => {
      const env = { STORE_URL: store.url, QUEUE: `r8-${runtime.name}`, ...STALL }
      const jobs = Array.from({ length: JOBS }, (_, i) => ({ id: `r8:${i}`, ms: 2_000 + Math.floor(Math.random() * 1_000) }))
      await enqueueAll(store.url, env.QUEUE, jobs)
      const killed = await runtime.start('worker.ts', { ...env, ROLE: 'killed' })
      let survivor: Awaited<ReturnType<typeof runtime.start>> | undefined
      try {
        await killed.waitFor(() => tally(killed.events, 'started').size === JOBS, 15_000, `all ${JOBS} jobs to start`)
        // A random moment while all of them run.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 500))
        killed.kill('SIGKILL')
        await killed.exited
        const killedAt = performance.now()
        survivor = await runtime.start('worker.ts', { ...env, ROLE: 'survivor' })
        const next = survivor
        // A job's report is written just after its "done": wait for both. Under load the
        // killed worker may have finished a few of the earliest jobs before the kill.
        const both = () => [...killed.events, ...next.events]
        const okIds = () => tally(both().filter((e) => e.status === 'ok'), 'report')
        await next.waitFor(() => tally(both(), 'done').size === JOBS && okIds().size === JOBS, 30_000, `all ${JOBS} jobs done and reported`)
        const recoveredMs = performance.now() - killedAt
        const okReports = tally([...killed.events, ...next.events].filter((e) => e.status === 'ok'), 'report')
        const done = tally([...killed.events, ...next.events], 'done')

        figures('R8', `${runtime.name} on ${kind.name}`, {
          jobs: JOBS,
          startedBeforeKill: tally(killed.events, 'started').size,
          doneBeforeKill: tally(killed.events, 'done').size,
          doneBySurvivor: tally(next.events, 'done').size,
          reportedOkOnce: [...okReports.values()].filter((n) => n === 1).length,
          lost: jobs.filter((j) => !done.has(j.id)).length,
          allDoneMs: Math.round(recoveredMs),
        })

        // The kill landed mid-job: the survivor had work to recover.
        expect(tally(next.events, 'done').size).toBeGreaterThan(0)
        expect(jobs.filter((j) => done.get(j.id) !== 1)).toEqual([])
        expect(jobs.filter((j) => okReports.get(j.id) !== 1)).toEqual([])
      } finally {
        await killed.stop()
        await survivor?.stop()
      }
    })
  })
})
