// finish-request/bullmq against real BullMQ on each store it runs on (a real Redis and a
// real PostgreSQL, started per store), served by the Node adapter: what a user of
// durable jobs would check. The same tests on both: the guarantees do not depend on
// the store.
import { Queue } from 'bullmq'
import { Hono } from 'hono'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { after, respond, type TaskReport } from 'finish-request'
import { inspector } from 'finish-request/inspector'
import { queue, type BullQueue } from 'finish-request/bullmq'
import { serve, type Server } from 'finish-request/node'
import { startRedis } from '../helpers/redis.ts'
import { deadUrl, stores, type TestStore } from '../helpers/stores.ts'
import { EventStreamReader } from '../support/event-stream.ts'

let queueCount = 0
const opened: Array<{ close(): Promise<unknown> }> = []

afterAll(async () => {
  for (const thing of opened.reverse()) await thing.close().catch(() => {})
})

function served(app: Hono, reports: TaskReport[] = [], errors: Error[] = []): Promise<Server> {
  const server = serve(app, {
    port: 0,
    signals: false,
    onTaskEnd: (report) => reports.push(report),
    onError: (error) => errors.push(error),
  })
  opened.push(server)
  return server.ready()
}

/** Reports collected by a worker, with a way to wait for a count. */
function collector() {
  const reports: TaskReport[] = []
  const errors: Error[] = []
  return {
    reports,
    errors,
    /** For jobs.work(): only its own option names, as an unknown one is a TypeError. */
    handlers: {
      onTaskEnd: (report: TaskReport) => void reports.push(report),
      onError: (error: Error) => void errors.push(error),
    },
    async until(count: number, ms = 10_000) {
      const deadline = Date.now() + ms
      while (reports.length < count) {
        if (Date.now() > deadline) throw new Error(`only ${reports.length} of ${count} reports after ${ms} ms: ${JSON.stringify(reports)}`)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      return reports
    },
  }
}

describe.each(stores)('finish-request/bullmq on $name', (kind) => {
  let store: TestStore
  beforeAll(async () => {
    store = await kind.start()
  })
  afterAll(async () => {
    // What this store's tests opened, before the store goes.
    for (const thing of opened.splice(0).reverse()) await thing.close().catch(() => {})
    await store?.stop()
  })

  /** A queue of its own per test, so tests never see each other's jobs. */
  function jobsFor(url = store.url, options: Partial<Parameters<typeof queue>[0]> = {}): BullQueue {
    const jobs = queue({ connection: url, name: `test-${process.pid}-${++queueCount}`, ...options })
    opened.push(jobs)
    return jobs
  }

  /** BullMQ's own view of a queue on this store. */
  function inspectQueue(name: string) {
    const inspect = store.inspect(name)
    opened.push(inspect)
    return inspect
  }

  it('a job registered during a request is in the store by the time the client has the response', async () => {
    const jobs = jobsFor()
    const buildZip = jobs.define('buildZip', async () => {})
    const app = new Hono().post('/export/:user', (c) =>
      respond(c.executionCtx, c.json({ ok: true }), buildZip({ user: c.req.param('user') }, { id: `export:${c.req.param('user')}` })),
    )
    const server = await served(app)
    const inspect = inspectQueue(jobs.name)
    for (const user of ['42', '43', '44']) {
      const response = await fetch(new URL(`export/${user}`, server.url), { method: 'POST' })
      expect(response.status).toBe(200)
      // No worker runs: the job can only be there because the request put it there.
      const job = await inspect.getJob(`export%3A${user}`)
      expect(job?.name).toBe('buildZip')
      expect(JSON.parse(job!.data.payload)).toEqual({ user })
      expect(job!.data.request).toMatchObject({ method: 'POST', url: expect.stringContaining(`/export/${user}`) })
    }
  })

  it('a worker runs it, reports once with the job, and mirrors progress to BullMQ', async () => {
    const jobs = jobsFor()
    const seen: unknown[] = []
    const buildZip = jobs.define('buildZip', async (payload: { user: number }, signal, task) => {
      expect(signal).toBeInstanceOf(AbortSignal)
      task.progress(1, 2)
      task.progress(2, 2)
      seen.push(payload)
    })
    const app = new Hono().get('/', (c) => {
      after(c.executionCtx, buildZip({ user: 42 }, { id: 'export:42' }))
      return c.text('ok')
    })
    const server = await served(app)
    await fetch(server.url!)
    const worker = collector()
    const running = jobs.work({ concurrency: 2, signals: false, ...worker.handlers })
    opened.push(running)
    const [report] = await worker.until(1)
    expect(seen).toEqual([{ user: 42 }])
    expect(report).toMatchObject({
      name: 'buildZip',
      status: 'ok',
      request: { method: 'GET', url: server.url },
      job: { id: 'export:42', queue: jobs.name, attempt: 1, attempts: 3 },
    })
    const inspect = inspectQueue(jobs.name)
    await expect.poll(async () => (await inspect.getJob('export%3A42'))?.progress).toEqual({ done: 2, total: 2 })
    await expect.poll(async () => inspect.getJobState('export%3A42')).toBe('completed')
  })

  it('a failing job is retried with backoff, one report per attempt, until it succeeds', async () => {
    const jobs = jobsFor()
    let calls = 0
    const startedAt: number[] = []
    const flaky = jobs.define(
      'flaky',
      async () => {
        startedAt.push(Date.now())
        if (++calls < 3) throw new Error(`attempt ${calls} failed`)
      },
      { attempts: 4, backoff: 100 },
    )
    const id = await flaky.enqueue({})
    const worker = collector()
    opened.push(jobs.work({ signals: false, ...worker.handlers }))
    const reports = await worker.until(3)
    expect(reports.map((r) => [r.status, r.job?.attempt, r.job?.attempts])).toEqual([
      ['error', 1, 4],
      ['error', 2, 4],
      ['ok', 3, 4],
    ])
    expect(reports.every((r) => r.job?.id === id)).toBe(true)
    expect(worker.errors.map((e) => e.message)).toEqual(['attempt 1 failed', 'attempt 2 failed'])
    // Exponential from 100 ms: at least 100 ms, then 200 ms between attempts.
    expect(startedAt[1] - startedAt[0]).toBeGreaterThanOrEqual(100)
    expect(startedAt[2] - startedAt[1]).toBeGreaterThanOrEqual(200)
  })

  it('an attempt past its timeout has its signal aborted and is reported timed out', async () => {
    const jobs = jobsFor()
    let reason: unknown
    const slow = jobs.define(
      'slow',
      (_payload, signal) =>
        new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => {
            reason = signal.reason
            resolve()
          }),
        ),
      { attempts: 1, timeout: 100 },
    )
    await slow.enqueue({ n: 1 })
    const worker = collector()
    opened.push(jobs.work({ signals: false, ...worker.handlers }))
    const [report] = await worker.until(1)
    expect(report).toMatchObject({ name: 'slow', status: 'timeout', job: { attempt: 1, attempts: 1 } })
    expect((reason as DOMException).name).toBe('TimeoutError')
  })

  it('a caller id enqueues the job once, however often the request is retried', async () => {
    const jobs = jobsFor()
    let runs = 0
    const charge = jobs.define('charge', async () => void runs++)
    // The ctx-free form, from a service function the route calls.
    const pay = (order: number) => respond(new Response('ok'), charge({ order }, { id: `order:${order}` }))
    const app = new Hono().post('/pay', () => pay(7))
    const server = await served(app)
    for (let i = 0; i < 3; i++) expect((await fetch(new URL('pay', server.url), { method: 'POST' })).status).toBe(200)
    expect(await charge.enqueue({ order: 7 }, { id: 'order:7' })).toBe('order:7')
    // Integers are ids too, though BullMQ refuses them as they are.
    expect(await charge.enqueue({ order: 8 }, { id: '42' })).toBe('42')
    const worker = collector()
    opened.push(jobs.work({ signals: false, ...worker.handlers }))
    const reports = await worker.until(2)
    expect(reports.map((r) => r.job?.id).sort()).toEqual(['42', 'order:7'])
    const inspect = inspectQueue(jobs.name)
    expect(await inspect.getJobCounts('waiting', 'active', 'delayed', 'completed')).toEqual({ waiting: 0, active: 0, delayed: 0, completed: 2 })
    expect(runs).toBe(2)
  })

  it('a burst of jobs before the first connection is all enqueued, without a listener per job on the shared deadline', async () => {
    const jobs = jobsFor()
    const burst = jobs.define('burst', () => {})
    const warnings: Error[] = []
    const onWarning = (warning: Error) => void warnings.push(warning)
    process.on('warning', onWarning)
    try {
      // Started together, these sends share one deadline signal and all wait for the first connection.
      const ids = await Promise.all(Array.from({ length: 50 }, (_, i) => burst.enqueue({ i }, { id: `burst:${i}` })))
      expect(ids).toEqual(Array.from({ length: 50 }, (_, i) => `burst:${i}`))
      await new Promise((resolve) => setTimeout(resolve, 10))
      expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([])
    } finally {
      process.off('warning', onWarning)
    }
  })

  it('a payload JSON cannot carry, or too large, is a TypeError at the call naming it', () => {
    const jobs = jobsFor(store.url, { maxPayloadBytes: 1024 })
    const buildZip = jobs.define('buildZip', () => {})
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    const bad: Array<[unknown, RegExp]> = [
      [() => {}, /^buildZip\(payload, options\): payload must be JSON data, got function$/],
      [10n, /^buildZip\(payload, options\): payload must be JSON data, got bigint$/],
      [undefined, /^buildZip\(payload, options\): payload must be JSON data, got undefined$/],
      [cycle, /^buildZip\(payload, options\): payload\.self must not refer back/],
      [{ user: { onDone: () => {} } }, /payload\.user\.onDone must be JSON data, got function/],
      [{ at: new Map() }, /payload\.at must be a plain object/],
      // Accepted once, a Date arrived at the handler as a string.
      [{ user: 1, when: new Date(0) }, /^buildZip\(payload, options\): payload\.when must be a plain object, an array or a primitive \(a Date arrives as a string: .*\), got Date$/],
      [{ files: [new (class ZipEntry {})()] }, /payload\.files\[0\] must be a plain object, .*got ZipEntry$/],
      [[1, NaN], /payload\[1\] must be a finite number/],
      ['x'.repeat(2000), /^buildZip\(payload, options\): payload must be at most 1024 bytes of JSON, got 2002 bytes$/],
    ]
    for (const [payload, message] of bad) {
      expect(() => buildZip(payload)).toThrow(TypeError)
      expect(() => buildZip(payload)).toThrow(message)
    }
    expect(() => buildZip.enqueue(() => {})).toThrow(/^buildZip\.enqueue\(payload, options\): payload must be JSON data/)
    expect(() => buildZip({}, { id: '' })).toThrow(/options\.id must be a non-empty string/)
    // What JSON carries as it is: fine.
    expect(() => buildZip({ a: [1, 'two', null, true], at: new Date(0).toISOString(), optional: undefined })).not.toThrow()
  })

  it('engine down: the job runs in this process after the response, its enqueue failure reported once', async () => {
    const jobs = jobsFor(await deadUrl(store), { enqueueTimeout: 1_000 })
    const ran: unknown[] = []
    const buildZip = jobs.define('buildZip', async (payload) => void ran.push(payload))
    const app = new Hono().get('/', (c) => respond(c.executionCtx, c.text('ok'), buildZip({ user: 1 }, { id: 'u:1' })))
    const reports: TaskReport[] = []
    const errors: Error[] = []
    const server = await served(app, reports, errors)
    const response = await fetch(server.url!)
    expect(response.status).toBe(200)
    await expect.poll(() => reports.length).toBe(2)
    expect(errors).toHaveLength(1)
    expect(errors[0].name).toBe('EnqueueError')
    expect(errors[0].message).toMatch(/job "buildZip" could not be enqueued on queue ".*" \(.*\): it runs in this process after the response/)
    // The enqueue failure (onTaskEnd sees it too), then the run in this process.
    expect(reports.map((r) => [r.status, r.error, r.job?.attempt])).toEqual([
      ['error', errors[0], 0],
      ['ok', undefined, undefined],
    ])
    expect(ran).toEqual([{ user: 1 }])
  })

  it("engine down with whenDown: 'refuse': 503 with Retry-After, decided before the response leaves", async () => {
    const jobs = jobsFor(await deadUrl(store), { whenDown: 'refuse', enqueueTimeout: 1_000 })
    let ran = false
    const buildZip = jobs.define('buildZip', () => void (ran = true))
    const app = new Hono().get('/', (c) => respond(c.executionCtx, c.text('ok'), buildZip({})))
    const errors: Error[] = []
    const server = await served(app, [], errors)
    const response = await fetch(server.url!)
    expect(response.status).toBe(503)
    expect(response.headers.get('retry-after')).toBe('1')
    expect(await response.text()).toBe('A durable task could not be queued; try again\n')
    expect(errors).toHaveLength(1)
    expect(errors[0].message).toMatch(/the request was answered 503/)
    // Refused before the response left: nothing was scheduled to run here.
    expect(server.pending).toBe(0)
    expect(ran).toBe(false)
  })

  // What ioredis does while Redis is down (its connection's states): Redis only.
  if (kind.name === 'redis') {
    it('Redis down from the start: every request falls back at once, not after enqueueTimeout; jobs are queued again once it is back', async () => {
      const flaky = await startRedis()
      opened.push({ close: () => flaky.stop() })
      await flaky.kill()
      // The default enqueueTimeout (2 s): what each request used to wait.
      const running = jobsFor(flaky.url)
      const refusing = jobsFor(flaky.url, { whenDown: 'refuse' })
      const ran: number[] = []
      const runHere = running.define('export', async (payload: { n: number }) => void ran.push(payload.n))
      const refuseHere = refusing.define('export', () => {})
      const app = new Hono()
        .get('/run/:n', (c) => respond(c.executionCtx, c.text('ok'), runHere({ n: Number(c.req.param('n')) }, { id: `run:${c.req.param('n')}` })))
        .get('/refuse/:n', (c) => respond(c.executionCtx, c.text('ok'), refuseHere({})))
      const errors: Error[] = []
      const server = await served(app, [], errors)
      const timed = async (path: string) => {
        const started = performance.now()
        const response = await fetch(new URL(path, server.url))
        await response.text()
        return { status: response.status, ms: performance.now() - started }
      }

      const down: Array<Awaited<ReturnType<typeof timed>>> = []
      for (let n = 0; n < 4; n++) down.push(await timed(`run/${n}`), await timed(`refuse/${n}`))
      expect(down.map((d) => d.status)).toEqual([200, 503, 200, 503, 200, 503, 200, 503])
      // The first connection attempt is refused within milliseconds; later requests know Redis is down.
      expect(down.filter((d) => d.ms > 500)).toEqual([])
      expect(errors.map((e) => e.name)).toEqual(Array(8).fill('EnqueueError'))
      expect(errors[0].message).toMatch(/could not be enqueued on queue ".*" \(Redis is unreachable \(.*ECONNREFUSED.*\)\): it runs in this process/)
      await expect.poll(() => ran.sort()).toEqual([0, 1, 2, 3])

      await flaky.restart()
      // ioredis reconnects by itself (its retry delay grows to 2 s); until then requests still fall back.
      let n = 100
      await expect
        .poll(async () => {
          const before = errors.length
          await timed(`run/${++n}`)
          return errors.length === before
        }, { timeout: 10_000, interval: 100 })
        .toBe(true)
      expect((await timed(`refuse/${n}`)).status).toBe(200)
      const inspect = new Queue(running.name, { connection: new Redis(flaky.url, { maxRetriesPerRequest: null }) })
      opened.push(inspect)
      expect((await inspect.getJob(`run%3A${n}`))?.name).toBe('export')
      // A job given up on while Redis was down was never sent afterwards.
      expect(await inspect.getJob('run%3A0')).toBeUndefined()
    })

    it('an enqueue failure is a report like any other: onTaskEnd gets it, with the time the request really waited', async () => {
      const hung = await startRedis()
      opened.push({ close: async () => (hung.resume(), hung.stop()) })
      // Accepts the connection, answers nothing: every request waits the whole enqueueTimeout.
      hung.pause()
      const jobs = jobsFor(hung.url, { enqueueTimeout: 400 })
      const buildZip = jobs.define('buildZip', async () => {})
      const app = new Hono().get('/', (c) => respond(c.executionCtx, c.text('ok'), buildZip({ user: 1 }, { id: 'u:1' })))
      const reports: TaskReport[] = []
      // No onError: the default line on stderr is part of what is checked.
      const server = serve(app, { port: 0, signals: false, onTaskEnd: (report) => reports.push(report) })
      opened.push(server)
      await server.ready()
      const logged: string[] = []
      const spy = vi.spyOn(console, 'error').mockImplementation((line: unknown) => void logged.push(String(line)))
      try {
        const started = performance.now()
        expect((await fetch(server.url!)).status).toBe(200)
        const waited = performance.now() - started
        expect(waited).toBeGreaterThanOrEqual(400)
        await expect.poll(() => reports.length).toBe(2)
        const [enqueue, fallback] = reports
        expect(enqueue).toMatchObject({ name: 'buildZip', status: 'error', job: { id: 'u:1', queue: jobs.name, attempt: 0, attempts: 3 } })
        expect(enqueue.error?.name).toBe('EnqueueError')
        expect(enqueue.durationMs).toBeGreaterThanOrEqual(390)
        expect(enqueue.durationMs).toBeLessThanOrEqual(waited)
        expect(fallback).toMatchObject({ name: 'buildZip', status: 'ok' })
        expect(logged).toHaveLength(1)
        expect(logged[0]).toMatch(new RegExp(`^\\[finish-request\\] task "buildZip" error after ${Math.round(enqueue.durationMs)} ms \\(GET http.*\\): EnqueueError: .*no acknowledgement within 400 ms`))

        // Having waited once, the process treats Redis as down: the next request does not wait again.
        const again = performance.now()
        expect((await fetch(server.url!)).status).toBe(200)
        expect(performance.now() - again).toBeLessThan(300)
        await expect.poll(() => reports.length).toBe(4)
        expect(reports[2].durationMs).toBeLessThan(300)
      } finally {
        spy.mockRestore()
      }

      // It answers again: the connection becomes ready and jobs are queued again.
      hung.resume()
      await expect
        .poll(async () => {
          const before = reports.length
          await fetch(server.url!)
          await new Promise((resolve) => setTimeout(resolve, 50))
          return reports.length === before
        }, { timeout: 10_000, interval: 100 })
        .toBe(true)
    })
  }

  it('close(): a job that outlasts the grace period goes back to the queue and the next worker finishes it', async () => {
    const jobs = jobsFor()
    const done: string[] = []
    const long = jobs.define('long', async (payload: { ms: number; id: string }, signal) => {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, payload.ms)
        signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)))
      })
      done.push(payload.id)
    })
    await long.enqueue({ ms: 50, id: 'short' }, { id: 'short' })
    await long.enqueue({ ms: 1_500, id: 'long' }, { id: 'long' })
    const first = collector()
    const running = jobs.work({ concurrency: 2, signals: false, gracePeriod: 300, ...first.handlers })
    await first.until(1)
    const closed = await running.close()
    expect(closed).toEqual({ completed: 0, abandoned: 1 })
    expect(first.reports.map((r) => [r.job?.id, r.status])).toEqual([
      ['short', 'ok'],
      ['long', 'abandoned'],
    ])
    const inspect = inspectQueue(jobs.name)
    expect(await inspect.getJobState('long')).toBe('waiting')
    // Going back to the queue did not spend an attempt.
    expect((await inspect.getJob('long'))?.attemptsMade).toBe(0)
    const second = collector()
    opened.push(jobs.work({ signals: false, ...second.handlers }))
    const [report] = await second.until(1, 15_000)
    expect(report).toMatchObject({ status: 'ok', job: { id: 'long', attempt: 1 } })
    expect(done).toEqual(['short', 'long'])
  })

  it('a running worker is a task source: the inspector streams its job attempts, with the job and its progress', async () => {
    const jobs = jobsFor()
    const exportJob = jobs.define('exportJob', async (_payload, _signal, task) => task.progress(3, 4), { attempts: 1 })
    const running = jobs.work({ signals: false, onError: () => {} })
    opened.push(running)
    const view = inspector(running)
    const response = await view(new Request('http://worker/events'))
    const stream = new EventStreamReader(response.body!)
    try {
      await stream.event((e) => e.type === 'snapshot', 'the snapshot')
      await exportJob.enqueue({}, { id: 'seen:1' })
      const ended = await stream.event((e) => e.type === 'ended', 'the attempt to end')
      const mine = stream.events.filter((e) => e.id === ended.id)
      expect(mine.map((e) => e.type)).toEqual(['registered', 'started', 'progress', 'ended'])
      expect(mine[0]).toMatchObject({ name: 'exportJob', job: { id: 'seen:1', queue: jobs.name, attempt: 1, attempts: 1 } })
      expect(mine[2]).toMatchObject({ done: 3, total: 4 })
      expect(ended.report).toMatchObject({ name: 'exportJob', status: 'ok', job: { id: 'seen:1' } })
    } finally {
      await stream.cancel()
    }
  })
})
