// The one Hono app every server serves. Each route answers the same JSON body and hands
// one unit of work to `schedule`, which is the only thing that differs between servers
// (see schedules.ts). One route per figure of the benchmark.
import { Hono, type Context } from 'hono'
import { BODY, busyFor, sleep } from './work.ts'

export type Task = () => unknown

/** How a server gets `task` done around answering `response`. */
export type Schedule = (c: Context, response: Response, task: Task) => Response | Promise<Response>

export interface AppHooks {
  /** P5: called when a 500 ms task has finished (the Node servers print a line). */
  onSlowTaskDone?: () => void
  /** P4: live heap bytes after a forced GC (servers started with --expose-gc). */
  heapUsed?: () => number
}

// P4 tasks never settle by themselves: their resolvers are held here, so what is measured
// is what each server keeps alive per pending task.
const held: Array<() => void> = []
const hold = (): Promise<void> => new Promise<void>((resolve) => void held.push(resolve))
const noop = (): void => {}
const encoded = new TextEncoder()
const streamOf = (text: string): ReadableStream<Uint8Array> =>
  new ReadableStream({
    start(controller) {
      controller.enqueue(encoded.encode(text))
      controller.close()
    },
  })

export function createApp(schedule: Schedule, hooks: AppHooks = {}): Hono {
  const app = new Hono()
  // P1: a 1 s task must not lengthen the response.
  app.get('/p1', (c) => schedule(c, c.json(BODY), () => sleep(1000)))
  // P2: a synchronous 20 ms CPU loop must not delay its own response.
  app.get('/p2', (c) => schedule(c, c.json(BODY), () => busyFor(20)))
  // P3: throughput with a task that does nothing.
  app.get('/p3', (c) => schedule(c, c.json(BODY), noop))
  // P3, streamed: the same body as a ReadableStream, whose end is what delivery waits for
  // on runtimes that report none (Bun, workerd).
  app.get('/p3s', (c) => schedule(c, new Response(streamOf(JSON.stringify(BODY)), { headers: { 'content-type': 'application/x-ndjson' } }), noop))
  // P4: a task that stays pending.
  app.get('/p4', (c) => schedule(c, c.json(BODY), hold))
  // P5: a 500 ms task that must survive SIGTERM.
  app.get('/p5', (c) =>
    schedule(c, c.json(BODY), async () => {
      await sleep(500)
      hooks.onSlowTaskDone?.()
    }),
  )
  app.get('/heap', (c) => c.json({ held: held.length, heapUsed: hooks.heapUsed?.() ?? null }))
  return app
}
