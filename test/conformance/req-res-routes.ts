// The conformance app's routes for (req, res) frameworks (Express, Fastify), where a route
// gets no ExecutionContext and returns no Response: each calls the ctx-free after(task)
// and says what to answer; the entry answers it with its framework's own API.
// Same paths, same tasks, same ledger as app.ts.
import { AsyncLocalStorage } from 'node:async_hooks'
import { after, respond } from 'finish-request'
import { probe, record, requestStore } from './app.ts'

/** What a route answers: JSON, text, or a body written chunk by chunk. */
export type Reply = { json: unknown } | { text: string } | { chunks: () => AsyncIterable<string> }
export type Route = (query: URLSearchParams, params: Record<string, string>) => Reply | Promise<Reply>

/** The framework's own request context, as Hono's contextStorage() is for app.ts. */
export const frameworkContext = new AsyncLocalStorage<URLSearchParams>()

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const now = () => performance.timeOrigin + performance.now()
function busy(ms: number): void {
  const end = now() + ms
  while (now() < end);
}

function recordContext(task: string): void {
  record('ctx', { task, id: frameworkContext.getStore()?.get('id'), store: requestStore.getStore() })
}

async function auditService(): Promise<void> {
  await sleep(Math.random() * 20)
  after(async function deep() {
    await sleep(Math.random() * 20)
    recordContext('deep')
  })
}

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

// The ctx forms' argument checks do not depend on the framework: a stand-in ctx.
const anyCtx = { waitUntil() {} }
const badCalls: Record<string, () => unknown> = {
  response: () => respond(anyCtx, 'ok' as never, () => {}),
  task: () => respond(anyCtx, new Response(), 42 as never),
  timeout: () => after(() => {}, { timeout: -5 }),
  ctx: () => after({} as never, () => {}),
}

const STREAM_CHUNKS = 4
const STREAM_GAP_MS = 60

/** A body written chunk by chunk, its task registered before: what app.ts's /stream/plain and /stream/hono send. */
function streamOf(id: string | null, name: string): Reply {
  after(
    () => {
      record('start', { id })
    },
    { name },
  )
  return {
    async *chunks() {
      for (let i = 0; i < STREAM_CHUNKS; i++) {
        if (i > 0) await sleep(STREAM_GAP_MS)
        yield `chunk ${i}\n`
      }
      record('stream-end', { id })
    },
  }
}

export const routes: Record<string, Route> = {
  '/ctx/free': async (query) => {
    await auditService()
    after(async function viaRespond() {
      await sleep(Math.random() * 20)
      recordContext('viaRespond')
      after(function nestedFree() {
        recordContext('nestedFree')
      })
    })
    return { json: { id: query.get('id') } }
  },
  '/probe': () => ({ json: { unhandledRejections: probe.unhandledRejections } }),
  '/probe/control': () => {
    void Promise.reject(new Error('control: a deliberate unhandled rejection'))
    return { text: 'ok' }
  },
  '/sleep': (query) => {
    const id = query.get('id')
    after(async function sleeper() {
      record('start', { id })
      await sleep(Number(query.get('ms') ?? 1000))
      record('done', { id })
    })
    return { json: { code: 0, msg: 'ok', id } }
  },
  '/cpu': (query) => {
    const id = query.get('id')
    after(function cpu() {
      record('start', { id })
      busy(Number(query.get('ms') ?? 20))
      record('done', { id })
    })
    return { text: 'x'.repeat(Number(query.get('bytes') ?? 2)) }
  },
  '/slow-handler': async (query) => {
    const id = query.get('id')
    record('handler', { id })
    after(function early() {
      record('start', { id })
    })
    await sleep(Number(query.get('ms') ?? 100))
    record('returning', { id })
    return { json: { id } }
  },
  '/stream': (query) => {
    const id = query.get('id')
    after(function afterStream() {
      record('start', { id })
    })
    return {
      async *chunks() {
        for (let i = 0; i < 3; i++) {
          yield `chunk ${i}\n`
          await sleep(30)
        }
        record('stream-end', { id })
      },
    }
  },
  '/stream/plain': (query) => streamOf(query.get('id'), 'afterPlainStream'),
  '/stream/hono': (query) => streamOf(query.get('id'), 'afterHonoStream'),
  // The task is registered while the body is being written, after the route returned.
  '/stream/late': (query) => {
    const id = query.get('id')
    return {
      async *chunks() {
        yield 'chunk 0\n'
        await sleep(STREAM_GAP_MS)
        after(function registeredMidStream() {
          record('start', { id })
        })
        for (let i = 1; i < STREAM_CHUNKS; i++) {
          await sleep(STREAM_GAP_MS)
          yield `chunk ${i}\n`
        }
        record('stream-end', { id })
      },
    }
  },
  '/after': (query) => {
    const id = query.get('id')
    after(async function viaAfter() {
      await sleep(10)
      record('done', { id })
    })
    return { json: { code: 0 } }
  },
  // What c.executionCtx.waitUntil(promise) is in app.ts: a promise already running.
  '/wait-until': (query) => {
    const id = query.get('id')
    after(
      sleep(10).then(() => record('done', { id })),
      { name: 'waitUntil' },
    )
    return { json: { code: 0 } }
  },
  '/nested': (query) => {
    const id = query.get('id')
    after(async function parent() {
      await sleep(10)
      after(async function child() {
        await sleep(10)
        record('done', { id })
      })
    })
    return { text: 'ok' }
  },
  '/fail/:kind': (_, params) => {
    after(failures[params.kind] ?? failures.throw, { name: `fail-${params.kind}` })
    return { text: 'ok' }
  },
  '/timeout': (query) => {
    const id = query.get('id')
    after(
      (signal) =>
        new Promise<void>((_, reject) => {
          signal.addEventListener('abort', () => {
            record('aborted', { id, reason: (signal.reason as Error).name })
            reject(signal.reason)
          })
        }),
      { name: 'waits-forever', timeout: Number(query.get('ms') ?? 50) },
    )
    return { text: 'ok' }
  },
  '/forever': (query) => {
    const id = query.get('id')
    const timeout = query.get('timeout')
    after(
      function forever(signal) {
        record('start', { id })
        return new Promise<void>((resolve) => {
          const timer = setInterval(() => {}, 1000)
          signal.addEventListener('abort', () => {
            clearInterval(timer)
            record('aborted', { id, reason: (signal.reason as Error).name })
            resolve()
          })
        })
      },
      timeout ? { timeout: Number(timeout) } : undefined,
    )
    return { text: 'ok' }
  },
  '/bad/:what': (_, params) => {
    try {
      badCalls[params.what]!()
      return { json: { thrown: false } }
    } catch (error) {
      return { json: { thrown: true, name: (error as Error).name, message: (error as Error).message } }
    }
  },
}
