// R5 hostile input: bad arguments, tasks that never settle, a task chain 10 000 deep, a
// response body that errors midway, a thrown value that cannot be printed. Clear
// errors at the call site, every registered task reported, bounded memory, and the
// server lives.
import { Agent } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Served } from '../conformance/harness.ts'
import { get, json, sleep, until } from './client.ts'
import { figures, MiB, mib } from './figures.ts'
import { runtimes } from './runtimes.ts'
import { stats, type Stats } from './stats.ts'

const NEVER = 1000
const NEVER_TIMEOUT_MS = 100
const DEPTH = 10_000
// 11 000 task records (never + deep) kept alive would take several MiB; 1 MiB over the
// baseline leaves room for GC noise only.
const HEAP_SLACK = 1 * MiB

// What each bad call's TypeError must name.
const NAMES: Array<[RegExp, RegExp]> = [
  [/^response:/, /response must be a Response/],
  [/^task: an array/, /task\[1\] must be a function/],
  [/^task:/, /task must be a function/],
  [/^timeout:/, /options\.timeout must be a positive number/],
  [/^options:/, /options must be an object/],
  [/^ctx:/, /ctx must be an ExecutionContext/],
]

describe.each(runtimes)('R5 hostile input on $name', (runtime) => {
  let served: Served
  const agent = new Agent({ keepAlive: true, maxSockets: 4 })
  const url = (path: string) => `${served.url}${path}`
  const figure: Record<string, unknown> = {}
  let baseline: Stats
  let lost = 0

  /** The server still answers, and no task escaped as a process-level error. */
  async function alive(): Promise<Stats> {
    const s = await stats(served)
    expect(s.unhandledRejection).toBe(0)
    expect(s.uncaughtException).toBe(0)
    return s
  }

  beforeAll(async () => {
    served = await runtime.start({ QUIET_REPORTS: '1' })
    // Warm up every route once, small, so the memory baseline is the steady state.
    await json(url('hostile/calls'), { agent })
    await get(url(`hostile/never?n=10&timeout=${NEVER_TIMEOUT_MS}`), { agent })
    await get(url('hostile/deep?depth=100'), { agent })
    await get(url('hostile/broken-body?id=warm'), { agent })
    await until(async () => (await stats(served)).pending === 0, 5000, 'the warm-up tasks')
    baseline = await settledStats(served)
  })

  afterAll(async () => {
    figures('R5', runtime.name, { ...figure, lost })
    agent.destroy()
    await served?.stop()
  })

  it('bad arguments throw a TypeError naming the argument and register nothing; legal extremes work', async () => {
    const { bad, good } = await json(url('hostile/calls'), { agent })
    for (const [what, outcome] of Object.entries<any>(bad)) {
      const expected = NAMES.find(([pattern]) => pattern.test(what))![1]
      expect({ what, ...outcome }).toMatchObject({ what, thrown: true, name: 'TypeError', registered: 0 })
      expect(outcome.message, what).toMatch(expected)
    }
    for (const [what, outcome] of Object.entries<any>(good)) {
      expect({ what, ...outcome }).toMatchObject({ what, thrown: false, registered: what.includes('empty') ? 0 : 1 })
    }
    figure.badCalls = Object.keys(bad).length
    figure.typeErrors = Object.values<any>(bad).filter((o) => o.name === 'TypeError').length
    figure.registeredByBadCalls = Object.values<any>(bad).reduce((sum, o) => sum + o.registered, 0)
    await alive()
  })

  it(`${NEVER} tasks that never settle are reported timeout at their ${NEVER_TIMEOUT_MS} ms deadline`, async () => {
    const before = await stats(served)
    expect((await get(url(`hostile/never?n=${NEVER}&timeout=${NEVER_TIMEOUT_MS}`), { agent })).status).toBe(200)
    await until(async () => (await stats(served)).byName.never - before.byName.never >= NEVER, 5000, 'the timeouts').catch(() => {})
    const s = await alive()
    figure.neverSettling = NEVER
    figure.timedOut = s.byStatus.timeout - before.byStatus.timeout
    lost += NEVER - (s.byName.never - before.byName.never)
    expect(s.byStatus.timeout - before.byStatus.timeout).toBe(NEVER)
    expect(s.pending).toBe(0)
  })

  it(`a task that registers tasks ${DEPTH} deep: every level runs and is reported`, async () => {
    const before = await stats(served)
    expect((await get(url(`hostile/deep?depth=${DEPTH}`), { agent })).status).toBe(200)
    await until(async () => (await stats(served)).byName.deep - before.byName.deep >= DEPTH, 20_000, 'the deepest task').catch(() => {})
    const s = await alive()
    const reported = s.byName.deep - before.byName.deep
    figure.depth = DEPTH
    figure.deepReported = reported
    lost += DEPTH - reported
    expect(reported).toBe(DEPTH)
    expect(s.byStatus.ok - before.byStatus.ok).toBe(DEPTH)
    expect(served.events.find((e) => e.type === 'deepest' && e.depth === DEPTH)).toBeDefined()
    expect(s.pending).toBe(0)
  })

  it('a response body that errors midway: the client sees it cut, the task still runs, the server lives', async () => {
    const outcomes = []
    for (const variant of ['plain', 'sse']) {
      const id = `r5-broken-${variant}`
      const outcome = await get(url(`hostile/broken-body?id=${id}${variant === 'sse' ? '&sse=1' : ''}`))
      outcomes.push(`${variant}:${outcome.status || outcome.error}`)
      await served.waitFor((e) => e.type === 'ran' && e.id === id, 5000, `the task after the ${variant} broken body`).catch(() => {
        lost++
      })
      expect(served.events.some((e) => e.type === 'ran' && e.id === id), variant).toBe(true)
      // The runtime sent the three chunks, then had to cut the response: the client must
      // see a broken response (a network error), never one that ended cleanly.
      expect(outcome, variant).toMatchObject({ status: 0 })
    }
    figure.brokenBodies = outcomes.join(',')
    expect((await get(url('stats'), { agent })).status).toBe(200)
    await alive()
  })

  it(`memory: the heap is back within ${HEAP_SLACK / MiB} MiB of its baseline`, async () => {
    await until(async () => (await stats(served)).pending === 0, 5000, 'no pending task')
    const s = await settledStats(served)
    figure.heapBaselineMiB = mib(baseline.memory.heapUsed)
    figure.heapAfterMiB = mib(s.memory.heapUsed)
    expect(s.memory.collected).toBe(true)
    expect(s.memory.heapUsed).toBeLessThanOrEqual(baseline.memory.heapUsed + HEAP_SLACK)
  })

  /** Registers `path`'s tasks (each route's last task is a well-behaved `bystander`) and expects each reported once. */
  async function expectAllReported(path: string, tasks: number, errors: number, label: string): Promise<void> {
    const before = await stats(served)
    expect((await get(url(path), { agent })).status).toBe(200)
    await until(async () => (await stats(served)).reports - before.reports >= tasks, 1000, `${tasks} reports`).catch(() => {})
    // A later task's report: a second report of any task above would have come before it.
    expect((await get(url('work?id=r5-sentinel&ms=0'), { agent })).status).toBe(200)
    await until(async () => (await stats(served)).byName.work > (before.byName.work ?? 0), 5000, 'the sentinel report')
    const s = await stats(served)
    const reported = s.reports - before.reports - 1 // less the sentinel's
    figure[label] = `${reported}/${tasks}`
    figure.unhandledRejection = s.unhandledRejection
    figure.uncaughtException = s.uncaughtException
    lost += tasks - reported
    expect({
      reports: reported,
      errors: s.byStatus.error - before.byStatus.error,
      bystanderRan: s.byName.bystander - (before.byName.bystander ?? 0),
      newPending: s.pending - before.pending,
      minPending: s.minPending,
      newUnhandledRejections: s.unhandledRejection - before.unhandledRejection,
      newUncaughtExceptions: s.uncaughtException - before.uncaughtException,
    }).toEqual({ reports: tasks, errors, bystanderRan: 1, newPending: 0, minPending: 0, newUnhandledRejections: 0, newUncaughtExceptions: 0 })
  }

  // These run last: should one fail, its stuck tasks would skew the figures above.
  it('a thrown object that cannot be printed (null prototype, cycle) is reported like any other', async () => {
    await expectAllReported('hostile/unprintable/cyclic', 3, 2, 'cyclicReported')
  })

  it('a thrown revoked Proxy (even `instanceof` throws on it) is reported like any other', async () => {
    await expectAllReported('hostile/unprintable/revoked', 3, 2, 'revokedProxyReported')
  })

  it('a task whose result has a throwing `then` getter is reported as an error', async () => {
    await expectAllReported('hostile/trapped-result', 2, 1, 'trappedResultReported')
  })
})

/** Stats after the heap has settled: a few forced GCs apart, the lowest heap reading. */
async function settledStats(served: Served): Promise<Stats> {
  let best = await stats(served)
  for (let i = 0; i < 3; i++) {
    await sleep(50)
    const next = await stats(served)
    best = { ...next, memory: next.memory.heapUsed < best.memory.heapUsed ? next.memory : best.memory }
  }
  return best
}
