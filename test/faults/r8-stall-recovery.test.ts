// R8, timed: how long a job whose worker was SIGKILLed waits before another worker
// takes it. BullMQ gives it back once its lock has expired (renewed every
// lockDuration / 2, so it expires lockDuration / 2 to lockDuration after the kill) and
// a stall check has seen it twice (checks run every stalledInterval), so between
// lockDuration / 2 and lockDuration + stalledInterval: up to 60 s with BullMQ's defaults
// (30 s each), which is what the README states and what `work({ bullmq })` shortens.
// Measured here with shortened options, the other worker already running, so its
// own start-up is not counted.
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { figures } from './figures.ts'
import { durableRuntimes, enqueueAll, tally } from './durable/processes.ts'
import { startRedis, type TestRedis } from '../helpers/redis.ts'

const LOCK_MS = 2_000
const STALLED_MS = 1_000
const JOBS = 5
/** A loaded 2-core machine delays timers and process scheduling by this much at worst. */
const SLACK_MS = 1_500
const now = () => performance.timeOrigin + performance.now()

let redis: TestRedis
beforeAll(async () => void (redis = await startRedis()))
afterAll(() => redis?.stop())

describe.each(durableRuntimes)('R8 stall recovery time on $name', (runtime) => {
  it('a killed worker’s jobs are taken by another within lockDuration + stalledInterval, not before half the lock', async () => {
    const env = { STORE_URL: redis.url, QUEUE: `r8-stall-${runtime.name}`, LOCK_MS: String(LOCK_MS), STALLED_MS: String(STALLED_MS) }
    // Longer than the recovery, so the killed worker cannot have finished them.
    const jobs = Array.from({ length: JOBS }, (_, i) => ({ id: `stall:${i}`, ms: 4_000 }))
    const killed = await runtime.start('worker.ts', { ...env, ROLE: 'killed' })
    let survivor: Awaited<ReturnType<typeof runtime.start>> | undefined
    try {
      await enqueueAll(redis.url, env.QUEUE, jobs)
      await killed.waitFor(() => tally(killed.events, 'started').size === JOBS, 15_000, `all ${JOBS} jobs to start`)
      // Idle until the kill: nothing is waiting for it to take.
      survivor = await runtime.start('worker.ts', { ...env, ROLE: 'survivor' })
      const next = survivor
      // Past the first lock renewal, at a random moment of the renewal cycle.
      await new Promise((resolve) => setTimeout(resolve, LOCK_MS / 2 + Math.random() * (LOCK_MS / 2)))
      const killedAt = now()
      killed.kill('SIGKILL')
      await killed.exited
      await next.waitFor(() => tally(next.events, 'done').size === JOBS, 20_000, `all ${JOBS} jobs done by the survivor`)

      const recovered = next.events.filter((e) => e.type === 'started').map((e) => e.at - killedAt)
      const last = Math.max(...recovered)
      figures('R8', runtime.name, {
        lockDurationMs: LOCK_MS,
        stalledIntervalMs: STALLED_MS,
        firstRecoveredMs: Math.round(Math.min(...recovered)),
        lastRecoveredMs: Math.round(last),
        boundMs: LOCK_MS + STALLED_MS,
      })

      expect(tally(killed.events, 'done').size).toBe(0)
      expect(recovered).toHaveLength(JOBS)
      // Not before the lock the killed worker last renewed can have expired...
      expect(Math.min(...recovered)).toBeGreaterThanOrEqual(LOCK_MS / 2 - 100)
      // ...and within the documented bound.
      expect(last).toBeLessThanOrEqual(LOCK_MS + STALLED_MS + SLACK_MS)
    } finally {
      await killed.stop()
      await survivor?.stop()
    }
  })
})

describe('the README', () => {
  it('gives the recovery time as measured, and the options that shorten it', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
    // One line per sentence, however the paragraph is wrapped.
    const guarantee = readme.slice(readme.indexOf('### The guarantee'), readme.indexOf('### When the engine is down')).replace(/\s+/g, ' ')
    // It used to say `lockDuration` (30 s) alone, when a user could wait twice that.
    expect(guarantee).toContain('`lockDuration` + `stalledInterval` after the crash')
    expect(guarantee).toContain("up to 60 s with BullMQ's defaults")
    expect(guarantee).toMatch(/work\(\{ bullmq: \{ lockDuration: [\d_]+, stalledInterval: [\d_]+ \} \}\)/)
  })
})
