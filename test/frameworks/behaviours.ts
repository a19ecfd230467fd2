// The behaviours every cell of the table must show, in the order they run against one
// server: the last one sends SIGTERM and so ends it.
import { connect } from 'node:net'
import type { ExpectStatic } from 'vitest'
import { uid, type Event, type Served } from '../conformance/harness.ts'
import { BUSY_MS } from './work.ts'

const wall = () => performance.timeOrigin + performance.now()

export interface Behaviour {
  name: string
  run(served: Served, expect: ExpectStatic, cell: { style: string }): Promise<void>
}

/** A client that sends a request and hangs up at once, before any answer. */
function hangUp(url: string, path: string): Promise<void> {
  // A real Host header: Elysia finds the path by skipping what an origin takes at least.
  const { host, hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`)
      socket.destroy()
      resolve()
    })
    socket.on('error', reject)
  })
}

const reportsOf = (served: Served, id: string) => served.events.filter((e) => e.type === 'report' && e.id === id)

export const behaviours: Behaviour[] = [
  {
    // Had the task started before the bytes left, its synchronous work would have held
    // them back: they would arrive at least BUSY_MS after the task's start.
    name: 'respond(response, task): the response arrives before its task could hold it back',
    async run(served, expect) {
      const id = uid('cpu')
      const response = await fetch(`${served.url}cpu?id=${id}`)
      expect(await response.text()).toBe('x'.repeat(64))
      const arrivedAt = wall()
      const start = await served.waitFor((e) => e.type === 'start' && e.id === id, 10_000, 'the cpu task to start')
      expect(arrivedAt).toBeLessThan(start.at + BUSY_MS)
      expect(await served.report(id)).toMatchObject({ name: 'cpuBound', status: 'ok' })
    },
  },
  {
    name: 'after(task) from a service: the task ends after the answer arrived, reported ok',
    async run(served, expect) {
      const id = uid('sleep')
      const response = await fetch(`${served.url}sleep?ms=600&id=${id}`)
      expect(await response.json()).toEqual({ id, queued: true })
      const arrivedAt = wall()
      const done = await served.waitFor((e) => e.type === 'done' && e.id === id, 10_000, 'the sleeper to finish')
      expect(arrivedAt).toBeLessThan(done.at)
      expect(await served.report(id)).toMatchObject({ name: 'sleeper', status: 'ok' })
    },
  },
  {
    name: 'a client that hangs up before the answer still gets its task run',
    async run(served, expect) {
      const id = uid('hangup')
      await hangUp(served.url, `/sleep?ms=50&id=${id}`)
      expect(await served.report(id)).toMatchObject({ name: 'sleeper', status: 'ok' })
    },
  },
  {
    name: 'a client that hangs up mid-body still gets its task run',
    async run(served, expect) {
      const id = uid('midbody')
      const controller = new AbortController()
      const response = await fetch(`${served.url}big?id=${id}`, { signal: controller.signal })
      await response.body!.getReader().read()
      controller.abort()
      expect(await served.report(id)).toMatchObject({ name: 'afterBig', status: 'ok' })
    },
  },
  {
    name: 'each task is reported exactly once, a failing one included',
    async run(served, expect) {
      const id = uid('fail')
      expect(await (await fetch(`${served.url}fail?id=${id}`)).text()).toBe('ok')
      expect(await served.report(id, 'failing')).toMatchObject({ status: 'error', error: { message: 'boom' } })
      expect(await served.report(id, 'succeeding')).toMatchObject({ status: 'ok' })
      // A later request's report proves time has passed for any duplicate to show up.
      const later = uid('later')
      await (await fetch(`${served.url}sleep?ms=20&id=${later}`)).text()
      await served.report(later)
      expect(reportsOf(served, id).map((e) => e.name).sort()).toEqual(['failing', 'succeeding'])
      expect(served.stderr).not.toMatch(/unhandled|uncaught/i)
    },
  },
  {
    name: 'SIGTERM: pending tasks drain, then onShutdown runs its async cleanup, then exit 0',
    async run(served, expect, cell) {
      const ids = [uid('drain'), uid('drain'), uid('drain')]
      for (const id of ids) await (await fetch(`${served.url}sleep?ms=800&id=${id}`)).text()
      served.kill('SIGTERM')
      expect(await served.exited).toEqual({ code: 0, signal: null })

      const index = (match: (e: Event) => boolean) => served.events.findIndex(match)
      const reportAt = (id: string) => index((e) => e.type === 'report' && e.id === id)
      for (const id of ids) expect(served.events[reportAt(id)]).toMatchObject({ name: 'sleeper', status: 'ok' })
      // onShutdown ran after every task was reported, and its awaited work finished before exit.
      const signalled = index((e) => e.type === 'signal')
      const cleanupStart = index((e) => e.type === 'cleanup-start')
      const cleanupDone = index((e) => e.type === 'cleanup-done')
      expect(signalled).toBeGreaterThanOrEqual(0)
      expect(cleanupStart).toBeGreaterThan(Math.max(...ids.map(reportAt)))
      expect(cleanupDone).toBeGreaterThan(cleanupStart)
      if (cell.style === 'serve') return
      // handle(): the user's own SIGTERM code awaited close(), which counts what it drained.
      const closed = index((e) => e.type === 'closed')
      expect(closed).toBeGreaterThan(cleanupDone)
      const okAfterSignal = served.events.slice(signalled).filter((e) => e.type === 'report' && e.status === 'ok').length
      expect(okAfterSignal).toBeGreaterThan(0)
      expect(served.events[closed]).toMatchObject({ completed: okAfterSignal, abandoned: 0 })
    },
  },
]
