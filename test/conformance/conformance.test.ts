// The same behaviours, checked against the same app, on every runtime.
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EventStreamReader } from '../support/event-stream.ts'
import { launch, uid, type Event, type Served } from './harness.ts'
import { Connection } from './raw-http.ts'
import { runtimes } from './runtimes.ts'

const wall = () => performance.timeOrigin + performance.now()
/** How each runtime knows a streamed body was delivered; Node and Deno say so themselves. */
const DELIVERY_OF_STREAM: Record<string, string> = {
  bun: 'body-end',
  workerd: 'body-end',
  'node20-srvx': 'body-end',
  'deno-without-info': 'body-end',
  // The middleware where the runtime or platform tells nothing (Bun, workerd, Vercel, Netlify).
  'hono-bun': 'body-end',
  'hono-bun-export-default': 'body-end',
  'hono-workerd': 'body-end',
  vercel: 'body-end',
  netlify: 'body-end',
}
const CPU_TASK_MS = 200

for (const runtime of runtimes) {
  // A behaviour a runtime cannot offer (the platform owns the process, the runtime lacks
  // a signal) is not declared for it: its reason stands in runtimes.ts, and the README's
  // per-runtime table says the same. Each name must be one the suite has (checked below).
  const declared = new Set<string>()
  const test = (behaviour: string, fn: () => Promise<void>, timeout?: number) => {
    declared.add(behaviour)
    if (runtime.only && !runtime.only.test(behaviour)) return
    if (runtime.cannot?.[behaviour]) return
    return it(behaviour, fn, timeout)
  }

  if (runtime.unavailable) {
    // Locally a missing runtime is a visible skip; in CI it is a failure, never a gap.
    if (process.env.CI) it(`${runtime.name} is available`, () => expect.fail(runtime.unavailable))
    else it.skip(`${runtime.name} (${runtime.unavailable})`)
    continue
  }

  // Groups of behaviours, each test starting a server of its own: an `only` runtime leaves
  // them out, and a runtime that cannot offer any of them would leave an empty suite, so
  // they are not nested describes.
  const block = (_name: string, fn: () => void) => (runtime.only ? undefined : fn())

  describe(runtime.name, () => {
    describe('one long-running server', () => {
      let served: Served
      beforeAll(async () => {
        served = await launch(runtime)
      })
      afterAll(() => served?.stop())

      const get = (path: string, init?: RequestInit) => fetch(new URL(path, served.url), init)
      /** A task registered now and reported ~10 ms later: what a later duplicate report would have beaten. */
      const sentinel = async () => {
        const id = uid('sentinel')
        await (await get(`/after?id=${id}`)).text()
        return { id }
      }
      const unhandledRejections = async () => ((await (await get('/probe')).json()) as { unhandledRejections: number }).unhandledRejections

      if (runtime.name.startsWith('node')) {
        test('runs on the Node version its label names', async () => {
          const listening = served.events.find((e) => e.type === 'listening')!
          expect(`node${String(listening.version).split('.')[0]}`).toBe(runtime.name)
        })
      }

      test('answers at once while a 1 s task is pending, then the task completes', async () => {
        const id = uid('sleep')
        const response = await get(`/sleep?ms=1000&id=${id}`)
        expect(await response.json()).toEqual({ code: 0, msg: 'ok', id })
        const receivedAt = wall()
        const done = await served.waitFor((e) => e.type === 'done' && e.id === id, 5000, 'the task to finish')
        expect(receivedAt).toBeLessThan(done.at)
        expect(await served.report(id)).toMatchObject({ status: 'ok', name: 'sleeper' })
      })

      test('a synchronous CPU task does not delay its own response', async () => {
        const id = uid('cpu')
        const response = await get(`/cpu?ms=${CPU_TASK_MS}&id=${id}`)
        await response.text()
        const receivedAt = wall()
        const start = await served.waitFor((e) => e.type === 'start' && e.id === id)
        // Had the task started before the bytes were written, the loop would have held
        // them back until it ended: they would arrive a whole task's length after its
        // start. Compared with the start, not the end, and with half the task's length
        // left for the client to be scheduled: a correct server starts the task about
        // 1 ms after handing the bytes over, often before this process has read them.
        expect(receivedAt - start.at).toBeLessThan(CPU_TASK_MS / 2)
      })

      test('a task registered early in a slow handler waits for its response', async () => {
        const id = uid('slow')
        expect(await (await get(`/slow-handler?ms=100&id=${id}`)).json()).toEqual({ id })
        const start = await served.waitFor((e) => e.type === 'start' && e.id === id)
        const returning = served.events.find((e) => e.type === 'returning' && e.id === id)!
        // The same clock: the task started after the handler had answered, not 1 ms after registration.
        expect(start.at).toBeGreaterThan(returning.at)
      })

      test('a task waits until the client has read the whole body', async () => {
        const id = uid('slow-reader')
        // 8 MB cannot fit in loopback socket buffers: the server can only finish
        // writing once this client reads on.
        const response = await get(`/cpu?ms=1&bytes=8000000&id=${id}`)
        const reader = response.body!.getReader()
        await reader.read()
        // Not a synchronisation: the time the body is held back, which the task must wait out.
        await new Promise((resolve) => setTimeout(resolve, 300))
        expect(served.events.find((e) => e.type === 'start' && e.id === id)).toBeUndefined()
        const resumedAt = wall()
        while (!(await reader.read()).done);
        const start = await served.waitFor((e) => e.type === 'start' && e.id === id)
        expect(start.at).toBeGreaterThan(resumedAt)
      })

      test('a task waits for a streamed body to end', async () => {
        const id = uid('stream')
        expect(await (await get(`/stream?id=${id}`)).text()).toBe('chunk 0\nchunk 1\nchunk 2\n')
        const start = await served.waitFor((e) => e.type === 'start' && e.id === id)
        const end = await served.waitFor((e) => e.type === 'stream-end' && e.id === id)
        expect(start.at).toBeGreaterThanOrEqual(end.at)
      })

      for (const [route, shape] of [
        ['/stream/plain', 'a plain new Response(stream), no streaming header'],
        ['/stream/hono', "Hono's stream()"],
        ['/stream/late', "a task registered inside streamText's callback, after the handler returned"],
      ]) {
        test(`${shape}: the task starts after the last byte`, async () => {
          const id = uid('stream')
          const response = await get(`${route}?id=${id}`)
          const text = await response.text()
          const lastByteAt = wall()
          expect(text).toBe('chunk 0\nchunk 1\nchunk 2\nchunk 3\n')
          const start = await served.waitFor((e) => e.type === 'start' && e.id === id)
          const end = served.events.find((e) => e.type === 'stream-end' && e.id === id)!
          expect(start.at).toBeGreaterThanOrEqual(end.at)
          // Before the fix the task started over 100 ms before the last byte arrived.
          expect(start.at).toBeGreaterThan(lastByteAt - 50)
          expect(await served.report(id)).toMatchObject({ status: 'ok', delivery: DELIVERY_OF_STREAM[runtime.name] ?? 'confirmed' })
        })
      }

      test('a 20 MB body is not held back by its 800 ms synchronous task', async () => {
        const id = uid('large')
        const response = await get(`/cpu?ms=800&bytes=20000000&id=${id}`)
        expect((await response.text()).length).toBe(20_000_000)
        const lastByteAt = wall()
        const start = await served.waitFor((e) => e.type === 'start' && e.id === id)
        // Had the task started while the body was being written, the last byte would have
        // come the task's whole length after its start; half of it is left for a client
        // reading what the kernel holds on a loaded machine.
        expect(lastByteAt - start.at).toBeLessThan(400)
      })

      test('after() and c.executionCtx.waitUntil() both run their work', async () => {
        const a = uid('after')
        const w = uid('wait-until')
        expect((await get(`/after?id=${a}`)).status).toBe(200)
        expect((await get(`/wait-until?id=${w}`)).status).toBe(200)
        expect(await served.report(a)).toMatchObject({ status: 'ok', name: 'viaAfter' })
        expect(await served.report(w)).toMatchObject({ status: 'ok', name: 'waitUntil' })
      })

      test('a task registered by a task runs too', async () => {
        const id = uid('nested')
        await (await get(`/nested?id=${id}`)).text()
        expect(await served.report(id, 'child')).toMatchObject({ status: 'ok' })
      })

      test('a client that hangs up before the response still gets its task run', async () => {
        const id = uid('hangup')
        const url = new URL(served.url)
        await new Promise<void>((resolve, reject) => {
          const socket = connect(Number(url.port), url.hostname, () => {
            socket.write(`GET /sleep?ms=50&id=${id} HTTP/1.1\r\nHost: x\r\n\r\n`)
            socket.destroy()
            resolve()
          })
          socket.on('error', reject)
        })
        expect(await served.report(id)).toMatchObject({ status: 'ok' })
      })

      test('a client that hangs up mid-body still gets its task run', async () => {
        const id = uid('midbody')
        const controller = new AbortController()
        const response = await get(`/cpu?ms=1&bytes=4000000&id=${id}`, { signal: controller.signal })
        const reader = response.body!.getReader()
        await reader.read()
        controller.abort()
        expect(await served.report(id)).toMatchObject({ status: 'ok' })
      })

      if (runtime.handsTasksToPlatform) {
        test("each task is handed to the platform's waitUntil, which settles fulfilled once the task is reported, a timed-out one too", async () => {
          for (const [path, status] of [['sleep?ms=50', 'ok'], ['timeout?ms=30', 'timeout']]) {
            const id = uid('platform')
            await (await get(`/${path}&id=${id}`)).text()
            const report = await served.report(id)
            expect(report.status).toBe(status)
            const handed = await served.waitFor((e) => e.type === 'platform-wait-until' && e.id === id, 5000, 'the platform to see it settle')
            expect(handed.settled).toBe('fulfilled')
            expect(handed.at).toBeGreaterThanOrEqual(report.at)
            expect(served.events.filter((e) => e.type === 'platform-wait-until' && e.id === id)).toHaveLength(1)
          }
        })
      }

      test('the unhandled-rejection probe counts a deliberate one', async () => {
        const before = await unhandledRejections()
        await (await get('/probe/control')).text()
        const deadline = Date.now() + 5000
        while ((await unhandledRejections()) === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
        expect(await unhandledRejections()).toBe(before + 1)
      })

      test('throw, reject, a thrown string and object: one error report each, and it keeps serving', async () => {
        const rejectionsBefore = await unhandledRejections()
        const kinds = ['throw', 'reject', 'string', 'object']
        for (const kind of kinds) expect((await get(`/fail/${kind}`)).status).toBe(200)
        for (const kind of kinds) {
          await served.waitFor((e) => e.type === 'report' && e.name === `fail-${kind}`, 5000, `fail-${kind}`)
        }
        // A later task's report proves the server lived on; then count, to prove "once".
        const id = uid('alive')
        await get(`/after?id=${id}`)
        await served.report(id)
        for (const kind of kinds) {
          const reports = served.events.filter((e) => e.type === 'report' && e.name === `fail-${kind}`)
          expect(reports).toHaveLength(1)
          expect(reports[0].status).toBe('error')
        }
        const messages = served.events.filter((e) => e.type === 'report' && String(e.name).startsWith('fail-'))
        expect(messages.map((e) => (e.error as { message: string }).message).sort()).toEqual(
          ['non-Error thrown: a string', 'non-Error thrown: {"code":7}', 'rejected', 'sync throw'].sort(),
        )
        // The runtime's own hook, asked after every failure was reported: none escaped.
        expect(await unhandledRejections()).toBe(rejectionsBefore)
      })

      test('timeout aborts the signal with a TimeoutError and reports timeout', async () => {
        const id = uid('timeout')
        await (await get(`/timeout?ms=50&id=${id}`)).text()
        const aborted = await served.waitFor((e) => e.type === 'aborted' && e.id === id)
        expect(aborted.reason).toBe('TimeoutError')
        expect(await served.report(id)).toMatchObject({ status: 'timeout', error: { name: 'TimeoutError' } })
        // The task rejects once aborted: that later outcome must not make a second report.
        await served.report((await sentinel()).id)
        expect(served.events.filter((e) => e.type === 'report' && e.id === id)).toHaveLength(1)
      })

      test('after(task) and respond(response, task) without ctx, from any depth: each task and report in its own request context', async () => {
        const ids = Array.from({ length: 200 }, () => uid('ctx'))
        // Concurrent, with random waits, so that requests interleave.
        const bodies = await Promise.all(ids.map((id) => get(`/ctx/free?id=${id}`).then((r) => r.json())))
        expect(bodies).toEqual(ids.map((id) => ({ id })))
        const tasks = ['deep', 'viaRespond', 'nestedFree']
        for (const id of ids) for (const name of tasks) expect(await served.report(id, name)).toMatchObject({ status: 'ok', store: id })
        const seen = served.events.filter((e) => e.type === 'ctx' && ids.includes(String(e.id)) === false)
        expect(seen).toEqual([])
        for (const id of ids) {
          const own = served.events.filter((e) => e.type === 'ctx' && e.store === id)
          // Each task saw its own request in Hono's contextStorage() and in the user's store.
          expect(own.map((e) => e.task).sort()).toEqual([...tasks].sort())
          expect(own.every((e) => e.id === id)).toBe(true)
        }
      })

      test('the inspector: events arrive as tasks run, and the page lists them', async () => {
        const controller = new AbortController()
        const response = await get('/_tasks/events', { signal: controller.signal })
        try {
          expect(response.status).toBe(200)
          expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
          const stream = new EventStreamReader(response.body!)
          await stream.event((e) => e.type === 'snapshot', 'the snapshot')
          const id = uid('inspected')
          await (await get(`/sleep?ms=20&id=${id}`)).text()
          const mine = (e: Record<string, any>) => String(e.request?.url ?? e.report?.request.url).endsWith(id)
          const registered = await stream.event((e) => e.type === 'registered' && mine(e), 'registered')
          expect(registered).toMatchObject({ name: 'sleeper', request: { method: 'GET' } })
          await stream.event((e) => e.type === 'started' && e.id === registered.id, 'started')
          const ended = await stream.event((e) => e.type === 'ended' && e.id === registered.id, 'ended')
          expect(ended.report).toMatchObject({ name: 'sleeper', status: 'ok' })
          // While the stream is open the page lists the task: its name, status and URL as text.
          const page = await get('/_tasks/')
          expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
          const html = await page.text()
          const row = html.slice(html.indexOf(`data-id="${registered.id}"`))
          expect(row).toMatch(/^data-id="\d+"><td><span class="status">ok<\/span><\/td><td class="name">sleeper<\/td>/)
          expect(row).toContain(`sleep?ms=20&amp;id=${id}`)
        } finally {
          controller.abort()
        }
        // The client left: its watcher is gone (maxWatchers is 1), so a new stream is let in.
        let again = await get('/_tasks/events')
        for (let tries = 0; again.status === 503 && tries < 200; tries++) {
          await again.text()
          await new Promise((resolve) => setTimeout(resolve, 10))
          again = await get('/_tasks/events')
        }
        expect(again.status).toBe(200)
        await again.body!.cancel()
      })

      test('bad arguments throw a TypeError naming the argument', async () => {
        const expected: Record<string, RegExp> = {
          response: /^respond\(ctx, response, task\): response must be a Response, got string$/,
          task: /task must be a function, a promise or a durable task, got number 42/,
          timeout: /options\.timeout must be a positive number/,
          ctx: /ctx must be an ExecutionContext/,
        }
        for (const [what, message] of Object.entries(expected)) {
          const body = await (await get(`/bad/${what}`)).json()
          expect(body).toMatchObject({ thrown: true, name: 'TypeError' })
          expect(body.message).toMatch(message)
        }
      })

      // Last in this block: counts every report the tests above caused.
      test('every task was reported exactly once, and pending never went below zero', async () => {
        await served.report((await sentinel()).id)
        expectCounted(served.events)
      })
    })

    if (runtime.withoutAsyncContext) {
      test('without any flag the worker loads as one script, after(ctx, task) works, and after(task) names the flag', async () => {
        const served = await launch(runtime, { WORKER_ENTRY: runtime.withoutAsyncContext!, WORKERD_FLAGS: '' })
        try {
          const id = uid('no-als')
          const body = await (await fetch(`${served.url}?id=${id}`)).json()
          expect(body).toMatchObject({ thrown: true, name: 'TypeError' })
          expect(body.message).toMatch(/^after\(task\): .*pass ctx \(after\(ctx, task\)\).*nodejs_compat.*asyncLocalStorage/)
          expect(await served.report(id)).toMatchObject({ status: 'ok', name: 'withCtx' })
        } finally {
          await served.stop()
        }
      })
    }

    block('admission control', () => {
      test('at maxPendingTasks new requests get 503 + Retry-After; accepted work completes', async () => {
        const served = await launch(runtime, { MAX_PENDING_TASKS: '2' })
        try {
          const ids = [uid('held'), uid('held')]
          for (const id of ids) expect((await fetch(`${served.url}sleep?ms=800&id=${id}`)).status).toBe(200)
          const refusedId = uid('refused')
          const refused = await fetch(`${served.url}sleep?ms=10&id=${refusedId}`)
          expect(refused.status).toBe(503)
          expect(refused.headers.get('retry-after')).toBe('1')
          for (const id of ids) expect(await served.report(id)).toMatchObject({ status: 'ok' })
          const again = await fetch(`${served.url}after?id=${uid('again')}`)
          expect(again.status).toBe(200)
          // The refused request's handler never ran, so its task never existed.
          expect(served.events.some((e) => e.id === refusedId)).toBe(false)
        } finally {
          await served.stop()
        }
      }, 15_000)
    })

    block('graceful shutdown', () => {
      test('SIGTERM drains pending tasks, then exits 0', async () => {
        const served = await launch(runtime)
        const ids = [uid('drain'), uid('drain'), uid('drain')]
        for (const id of ids) await (await fetch(`${served.url}sleep?ms=700&id=${id}`)).text()
        const nested = uid('nested')
        await (await fetch(`${served.url}nested?id=${nested}`)).text()
        served.kill('SIGTERM')
        await served.waitFor((e) => e.type === 'signal')
        // After the signal nothing new is accepted: refused at the door or 503.
        const late = await fetch(`${served.url}sleep?ms=10`).then((r) => r.status, () => 'refused')
        expect([503, 'refused']).toContain(late)
        expect(await served.exited).toEqual({ code: 0, signal: null })
        for (const id of ids) expect(served.events.find((e) => e.type === 'done' && e.id === id)).toBeDefined()
        // The child task was registered while draining, and was waited for.
        const child = served.events.find((e) => e.type === 'report' && e.id === nested && e.name === 'child')
        expect(child).toMatchObject({ status: 'ok' })
        expect(served.events.filter((e) => e.type === 'report' && ids.includes(String(e.id)))).toMatchObject(ids.map(() => ({ status: 'ok' })))
        expectCounted(served.events)
      }, 15_000)

      test('past gracePeriod, tasks are aborted (with or without a timeout), reported abandoned, and the process exits 75', async () => {
        const served = await launch(runtime, { GRACE_PERIOD: '300' })
        // A timeout gives a task a signal of its own, far from its deadline here.
        const ids = [uid('forever'), uid('forever'), uid('forever-timeout')]
        for (const id of ids) {
          const timeout = id.startsWith('forever-timeout') ? '&timeout=60000' : ''
          await (await fetch(`${served.url}forever?id=${id}${timeout}`)).text()
        }
        for (const id of ids) await served.waitFor((e) => e.type === 'start' && e.id === id)
        served.kill('SIGTERM')
        // Live timers must not keep the process up: it exits, within the test's timeout,
        // with the documented code that says work was abandoned.
        expect(await served.exited).toEqual({ code: 75, signal: null })
        for (const id of ids) {
          expect(served.events.find((e) => e.type === 'report' && e.id === id), id).toMatchObject({
            status: 'abandoned',
            error: { name: 'AbortError' },
          })
          expect(served.events.find((e) => e.type === 'aborted' && e.id === id), id).toMatchObject({ reason: 'AbortError' })
        }
        expectCounted(served.events)
      }, 15_000)

      test('a second SIGTERM abandons what is left at once, instead of waiting out gracePeriod', async () => {
        const served = await launch(runtime, { GRACE_PERIOD: '60000' })
        const ids = [uid('forever'), uid('forever-timeout')]
        await (await fetch(`${served.url}forever?id=${ids[0]}`)).text()
        await (await fetch(`${served.url}forever?id=${ids[1]}&timeout=60000`)).text()
        for (const id of ids) await served.waitFor((e) => e.type === 'start' && e.id === id)
        served.kill('SIGTERM')
        await served.waitFor((e) => e.type === 'signal')
        served.kill('SIGTERM')
        // A minute of grace is far beyond this test's timeout: only the second signal ends it.
        expect(await served.exited).toEqual({ code: 75, signal: null })
        for (const id of ids) {
          expect(served.events.find((e) => e.type === 'report' && e.id === id), id).toMatchObject({ status: 'abandoned' })
          expect(served.events.find((e) => e.type === 'aborted' && e.id === id), id).toMatchObject({ reason: 'AbortError' })
        }
        expectCounted(served.events)
      }, 15_000)

      test('abandonedExitCode: 0 keeps exit code 0 after a close that abandoned tasks', async () => {
        const served = await launch(runtime, { GRACE_PERIOD: '200', ABANDONED_EXIT_CODE: '0' })
        const id = uid('forever')
        await (await fetch(`${served.url}forever?id=${id}`)).text()
        await served.waitFor((e) => e.type === 'start' && e.id === id)
        served.kill('SIGTERM')
        expect(await served.exited).toEqual({ code: 0, signal: null })
        expect(served.events.find((e) => e.type === 'report' && e.id === id)).toMatchObject({ status: 'abandoned' })
      }, 15_000)

      test('a request on a kept-alive connection during the drain gets 503 with Connection: close', async () => {
        const served = await launch(runtime)
        const drained = uid('drain')
        await (await fetch(`${served.url}sleep?ms=1500&id=${drained}`)).text()
        const busy = uid('busy')
        const connection = new Connection(served.url)
        await connection.opened
        // The first request keeps the connection busy (its handler takes a while), so the
        // server cannot close it as idle; the second one is sent once it is closing.
        connection.send(`/slow-handler?ms=700&id=${busy}`)
        await served.waitFor((e) => e.type === 'handler' && e.id === busy)
        served.kill('SIGTERM')
        await served.waitFor((e) => e.type === 'signal')
        const late = uid('late')
        connection.send(`/sleep?ms=10&id=${late}`)
        const responses = await connection.closed
        if (runtime.closesBusyConnectionsOnShutdown) {
          expect(responses.map((r) => r.status)).toEqual([200])
        } else {
          expect(responses.map((r) => r.status)).toEqual([200, 503])
          expect(responses[1].headers.connection).toBe('close')
          expect(responses[1].headers['retry-after']).toBe('1')
        }
        expect(await served.exited).toEqual({ code: 0, signal: null })
        // The in-flight request's task and the one already pending both ran; the refused one never existed.
        expect(served.events.find((e) => e.type === 'report' && e.id === busy)).toMatchObject({ status: 'ok' })
        expect(served.events.find((e) => e.type === 'done' && e.id === drained)).toBeDefined()
        expect(served.events.some((e) => e.id === late)).toBe(false)
      }, 15_000)
    })

    if (runtime.cannot) {
      it('what it cannot offer names behaviours this suite has', () => {
        expect(Object.keys(runtime.cannot!).filter((behaviour) => !declared.has(behaviour))).toEqual([])
      })
    }
  })
}

/** Reports are counted, not found: one per task (a task is its request's id and its name), and `pending` never negative. */
function expectCounted(events: Event[]): void {
  const reports = events.filter((e) => e.type === 'report')
  const perTask = new Map<string, number>()
  for (const r of reports) perTask.set(`${r.id}|${r.name}`, (perTask.get(`${r.id}|${r.name}`) ?? 0) + 1)
  expect([...perTask].filter(([, count]) => count !== 1)).toEqual([])
  expect(reports.filter((r) => typeof r.pending === 'number' && r.pending < 0)).toEqual([])
}
