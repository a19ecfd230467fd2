// What every framework's routes call: services that register work with the ctx-free
// `after(task)` / `respond(response, task)`, since h3, itty-router, Elysia and a bare
// fetch function hand no ExecutionContext to a route.
import { after, respond } from 'finish-request'
import { busy, record, sleep } from './ledger.ts'

/** How long the task of `/cpu` holds the thread: the response must arrive before that ends. */
export const BUSY_MS = 400

/** `/cpu`: a Response, and a task that records its start and then holds the thread. */
export function cpu(id: string): Response {
  return respond(new Response('x'.repeat(64)), function cpuBound() {
    record('start', { id })
    busy(BUSY_MS)
    record('done', { id })
  })
}

/** `/sleep`: a service deep in the code schedules its own follow-up, then the route answers. */
export function scheduleSleep(id: string, ms: number): { id: string; queued: true } {
  after(async function sleeper() {
    record('start', { id })
    await sleep(ms)
    record('done', { id })
  })
  return { id, queued: true }
}

/** `/big`: a body large enough that a client can hang up in the middle of it. */
export function big(): Response {
  return respond(new Response('x'.repeat(4_000_000)), function afterBig() {})
}

/** `/fail`: one task that throws and one that succeeds, each reported once. */
export function fail(): Response {
  return respond(new Response('ok'), [
    function failing() {
      throw new Error('boom')
    },
    async function succeeding() {
      await sleep(5)
    },
  ])
}

/** `/forever`: a task that only ends when shutdown aborts its signal. */
export function forever(id: string): { id: string } {
  after(function forever(signal) {
    record('start', { id })
    return new Promise<void>((resolve) => {
      // A live timer, as real work would hold: the process must exit regardless.
      const timer = setInterval(() => {}, 1000)
      signal.addEventListener('abort', () => {
        clearInterval(timer)
        resolve()
      })
    })
  })
  return { id }
}
