// One Hono app, public API only, served unchanged by every runtime's entry.
// Every task writes its progress as JSON lines on stdout (the ledger that survives a
// SIGTERM) and into `events`, which GET /events returns while the server is up.
import { AsyncLocalStorage } from 'node:async_hooks'
import { Hono } from 'hono'
import { contextStorage, getContext } from 'hono/context-storage'
import { stream, streamText } from 'hono/streaming'
import { after, respond, type TaskReport, type TaskSource } from 'finish-request'
import { inspector } from 'finish-request/inspector'

/** The user's own request-scoped store, as logging and tracing libraries keep one. */
export const requestStore = new AsyncLocalStorage<string>()

type Event = { type: string; id?: string; at: number; [key: string]: unknown }

export const events: Event[] = []
const now = () => performance.timeOrigin + performance.now()
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export function record(type: string, fields: Record<string, unknown> = {}): void {
  const event = { type, at: now(), ...fields }
  events.push(event)
  console.log(JSON.stringify(event))
}

/**
 * What the entry knows about its process that the app cannot: `pending` (a server's
 * own count; workerd has none to show) and the unhandled rejections its runtime's own
 * hook counted (process 'unhandledRejection', or workerd's global 'unhandledrejection').
 */
export const probe = {
  pending: undefined as (() => number) | undefined,
  unhandledRejections: 0,
}

/** Pass as `onTaskEnd`: every report lands in the ledger, with `pending` right after it. */
export function recordReport(report: TaskReport): void {
  record('report', {
    id: new URL(report.request.url || 'http://x/').searchParams.get('id') ?? undefined,
    name: report.name,
    status: report.status,
    error: report.error && { name: report.error.name, message: report.error.message },
    pending: probe.pending?.(),
    delivery: report.delivery,
    // Reporters run in the registering request's async context.
    store: requestStore.getStore(),
  })
}

function busy(ms: number): void {
  const end = now() + ms
  while (now() < end);
}

export const app = new Hono()

// Request context: the user's store and Hono's contextStorage(), set by middleware.
app.use('/ctx/*', contextStorage())
app.use('/ctx/*', (c, next) => requestStore.run(c.req.query('id')!, next))

function recordContext(task: string): void {
  record('ctx', { task, id: getContext().req.query('id'), store: requestStore.getStore() })
}

/** A service deep inside the request's code, with no ctx at hand. */
async function auditService(): Promise<void> {
  await sleep(Math.random() * 20)
  after(async function deep() {
    await sleep(Math.random() * 20)
    recordContext('deep')
  })
}

// The ctx-free forms, from the handler and from a service, and a task that registers a task.
app.get('/ctx/free', async (c) => {
  const id = c.req.query('id')
  try {
    await auditService()
    return respond(c.json({ id }), async function viaRespond() {
      await sleep(Math.random() * 20)
      recordContext('viaRespond')
      after(function nestedFree() {
        recordContext('nestedFree')
      })
    })
  } catch (error) {
    return c.json({ thrown: true, name: (error as Error).name, message: (error as Error).message })
  }
})

/**
 * Mounts the inspector of what serve() returned (before the first request is routed).
 * One watcher at most: a stream whose client left must free its place.
 */
export function mountInspector(source: TaskSource): void {
  app.mount('/_tasks', inspector(source, { maxWatchers: 1 }))
}

app.get('/events', (c) => c.json(events))

app.get('/probe', (c) => c.json({ unhandledRejections: probe.unhandledRejections }))

// A deliberate unhandled rejection, outside the library: proves the probe sees one, so
// its zero after the failure tests means something.
app.get('/probe/control', (c) => {
  void Promise.reject(new Error('control: a deliberate unhandled rejection'))
  return c.text('ok')
})

// Instant answer, then `ms` of waiting. The task ends by recording "done".
app.get('/sleep', (c) => {
  const id = c.req.query('id')
  const ms = Number(c.req.query('ms') ?? 1000)
  return respond(c.executionCtx, c.json({ code: 0, msg: 'ok', id }), async function sleeper() {
    record('start', { id })
    await sleep(ms)
    record('done', { id })
  })
})

// A synchronous CPU loop: it must not delay its own response.
app.get('/cpu', (c) => {
  const id = c.req.query('id')
  const ms = Number(c.req.query('ms') ?? 20)
  return respond(c.executionCtx, c.text('x'.repeat(Number(c.req.query('bytes') ?? 2))), function cpu() {
    record('start', { id })
    busy(ms)
    record('done', { id })
  })
})

// The task is registered first, then the handler takes `ms` more before it answers:
// the task must wait for the response, not start while the handler still works.
app.get('/slow-handler', async (c) => {
  const id = c.req.query('id')
  record('handler', { id })
  after(c.executionCtx, function early() {
    record('start', { id })
  })
  await sleep(Number(c.req.query('ms') ?? 100))
  record('returning', { id })
  return c.json({ id })
})

// A streamed body: its task must wait for the last chunk, not just for the handler.
app.get('/stream', (c) => {
  const id = c.req.query('id')
  after(c.executionCtx, function afterStream() {
    record('start', { id })
  })
  return streamText(c, async (stream) => {
    for (let i = 0; i < 3; i++) {
      await stream.write(`chunk ${i}\n`)
      await stream.sleep(30)
    }
    record('stream-end', { id })
  })
})

const STREAM_CHUNKS = 4
const STREAM_GAP_MS = 60

// A plain new Response(stream), no streaming header: the usual shape of a streamed AI answer.
app.get('/stream/plain', (c) => {
  const id = c.req.query('id')
  after(c.executionCtx, function afterPlainStream() {
    record('start', { id })
  })
  let sent = 0
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent > 0) await sleep(STREAM_GAP_MS)
      if (sent++ < STREAM_CHUNKS) return controller.enqueue(new TextEncoder().encode(`chunk ${sent - 1}\n`))
      record('stream-end', { id })
      controller.close()
    },
  })
  return new Response(body)
})

// Hono's stream(): it sets no header either.
app.get('/stream/hono', (c) => {
  const id = c.req.query('id')
  after(c.executionCtx, function afterHonoStream() {
    record('start', { id })
  })
  return stream(c, async (out) => {
    for (let i = 0; i < STREAM_CHUNKS; i++) {
      if (i > 0) await out.sleep(STREAM_GAP_MS)
      await out.write(`chunk ${i}\n`)
    }
    record('stream-end', { id })
  })
})

// The task is registered inside the stream's callback, after the handler returned.
app.get('/stream/late', (c) => {
  const id = c.req.query('id')
  return streamText(c, async (out) => {
    await out.write('chunk 0\n')
    await out.sleep(STREAM_GAP_MS)
    after(c.executionCtx, function registeredMidStream() {
      record('start', { id })
    })
    for (let i = 1; i < STREAM_CHUNKS; i++) {
      await out.sleep(STREAM_GAP_MS)
      await out.write(`chunk ${i}\n`)
    }
    record('stream-end', { id })
  })
})

app.get('/after', (c) => {
  const id = c.req.query('id')
  after(c.executionCtx, async function viaAfter() {
    await sleep(10)
    record('done', { id })
  })
  return c.json({ code: 0 })
})

app.get('/wait-until', (c) => {
  const id = c.req.query('id')
  c.executionCtx.waitUntil(sleep(10).then(() => record('done', { id })))
  return c.json({ code: 0 })
})

// A task that registers another task.
app.get('/nested', (c) => {
  const id = c.req.query('id')
  return respond(c.executionCtx, c.text('ok'), async function parent() {
    await sleep(10)
    after(c.executionCtx, async function child() {
      await sleep(10)
      record('done', { id })
    })
  })
})

const failures: Record<string, () => unknown> = {
  throw: () => {
    throw new Error('sync throw')
  },
  reject: () => Promise.reject(new Error('rejected')),
  string: async () => {
    throw 'a string'
  },
  object: () => {
    throw { code: 7 }
  },
}

app.get('/fail/:kind', (c) => {
  const kind = c.req.param('kind')
  return respond(c.executionCtx, c.text('ok'), failures[kind] ?? failures.throw, { name: `fail-${kind}` })
})

app.get('/timeout', (c) => {
  const id = c.req.query('id')
  return respond(
    c.executionCtx,
    c.text('ok'),
    (signal) =>
      new Promise<void>((_, reject) => {
        signal.addEventListener('abort', () => {
          record('aborted', { id, reason: (signal.reason as Error).name })
          reject(signal.reason)
        })
      }),
    { name: 'waits-forever', timeout: Number(c.req.query('ms') ?? 50) },
  )
})

// A task that only ends when its signal aborts: what shutdown must abandon.
// With `timeout`, the task has a signal of its own (a deadline far away), which shutdown
// must abort just the same.
app.get('/forever', (c) => {
  const id = c.req.query('id')
  const timeout = c.req.query('timeout')
  const options = timeout ? { timeout: Number(timeout) } : undefined
  return respond(c.executionCtx, c.text('ok'), function forever(signal) {
    record('start', { id })
    return new Promise<void>((resolve) => {
      // A live timer, as real work would hold: the process must exit regardless.
      const timer = setInterval(() => {}, 1000)
      signal.addEventListener('abort', () => {
        clearInterval(timer)
        record('aborted', { id, reason: (signal.reason as Error).name })
        resolve()
      })
    })
  }, options)
})

const badCalls: Record<string, (c: { executionCtx: ExecutionContextArg }) => unknown> = {
  response: (c) => respond(c.executionCtx, 'ok' as never, () => {}),
  task: (c) => respond(c.executionCtx, new Response(), 42 as never),
  timeout: (c) => after(c.executionCtx, () => {}, { timeout: -5 }),
  ctx: () => after({} as never, () => {}),
}
type ExecutionContextArg = Parameters<typeof after>[0]

app.get('/bad/:what', (c) => {
  try {
    badCalls[c.req.param('what')]!(c as never)
    return c.json({ thrown: false })
  } catch (error) {
    return c.json({ thrown: true, name: (error as Error).name, message: (error as Error).message })
  }
})
