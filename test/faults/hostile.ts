// R5: what a careless or hostile caller hands the library. Each bad call must throw a
// clear TypeError at the call site and register nothing; odd but legal input must work.
import { Hono } from 'hono'
import { after, respond, type Task, type WaitUntilContext } from 'finish-request'
import { ledger, pending } from './probe.ts'

const noop: Task = function noop() {}
const never: Task = function never() {
  return new Promise(() => {})
}

type Call = (ctx: WaitUntilContext) => unknown
/** Each call, by what is wrong with it. */
export const BAD_CALLS: Record<string, Call> = {
  'response: a string': (ctx) => respond(ctx, 'ok' as never, noop),
  'response: a plain object': (ctx) => respond(ctx, { status: 200, body: 'ok' } as never, noop),
  'response: null': (ctx) => respond(ctx, null as never, noop),
  'response: a Promise of a Response': (ctx) => respond(ctx, Promise.resolve(new Response('ok')) as never, noop),
  'task: a number': (ctx) => respond(ctx, new Response('ok'), 42 as never),
  'task: null': (ctx) => after(ctx, null as never),
  'task: an object that is not a promise': (ctx) => after(ctx, { run: noop } as never),
  'task: an array with a non-function': (ctx) => respond(ctx, new Response('ok'), [noop, 'x' as never]),
  'timeout: negative': (ctx) => after(ctx, noop, { timeout: -5 }),
  'timeout: NaN': (ctx) => after(ctx, noop, { timeout: NaN }),
  'timeout: zero': (ctx) => after(ctx, noop, { timeout: 0 }),
  'timeout: huge (1e12 ms)': (ctx) => after(ctx, noop, { timeout: 1e12 }),
  'timeout: a string': (ctx) => after(ctx, noop, { timeout: '100' as never }),
  'options: a string': (ctx) => after(ctx, noop, 'fast' as never),
  'ctx: undefined': () => after(undefined as never, noop),
  'ctx: without waitUntil': () => after({} as never, noop),
}

/** Legal extremes: accepted, one task registered each. */
export const GOOD_CALLS: Record<string, Call> = {
  'timeout: Infinity': (ctx) => after(ctx, noop, { timeout: Infinity }),
  'timeout: the largest timer (2^31-1 ms)': (ctx) => after(ctx, noop, { timeout: 2 ** 31 - 1 }),
  'task: an empty array': (ctx) => respond(ctx, new Response('ok'), []),
  // A promise already running is tracked as a task (Next.js's after(promise)).
  'task: a Promise': (ctx) => after(ctx, Promise.resolve()),
}

export const hostile = new Hono()

hostile.get('/calls', (c) => {
  const outcome = (call: Call) => {
    const before = pending()
    try {
      call(c.executionCtx)
      return { thrown: false, registered: pending() - before }
    } catch (error) {
      const { name, message } = error as Error
      return { thrown: true, name, message, registered: pending() - before }
    }
  }
  const run = (calls: Record<string, Call>) =>
    Object.fromEntries(Object.entries(calls).map(([what, call]) => [what, outcome(call)]))
  return c.json({ bad: run(BAD_CALLS), good: run(GOOD_CALLS) })
})

// Tasks that never settle, under a timeout: reported `timeout`, not waited for, not kept.
hostile.get('/never', (c) => {
  const n = Number(c.req.query('n'))
  const tasks = Array.from({ length: n }, () => never)
  return respond(c.executionCtx, c.text('ok'), tasks, { timeout: Number(c.req.query('timeout')) })
})

// A task that registers the next one, `depth` deep.
hostile.get('/deep', (c) => {
  const depth = Number(c.req.query('depth'))
  const ctx = c.executionCtx
  const level = (n: number): Task =>
    function deep() {
      if (n < depth) after(ctx, level(n + 1))
      else ledger('deepest', { depth: n })
    }
  after(ctx, level(1))
  return c.text('ok')
})

// A body that sends three chunks, then errors. `sse` marks it as a stream the way
// streaming helpers do, which some adapters watch to the end.
hostile.get('/broken-body', (c) => {
  const id = c.req.query('id')
  let sent = 0
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent++ < 3) controller.enqueue(new TextEncoder().encode(`chunk ${sent}\n`))
      else controller.error(new Error('the body failed midway'))
    },
  })
  const headers = c.req.query('sse') ? { 'content-type': 'text/event-stream' } : undefined
  return respond(c.executionCtx, new Response(body, { headers }), async function afterBrokenBody() {
    ledger('ran', { id })
  })
})

// Thrown values that cannot be turned into a string: `cyclic`, an object with no
// prototype and a cycle (defeats JSON.stringify and String); `revoked`, a revoked Proxy
// (defeats every operation but typeof, `instanceof Error` included). Thrown
// synchronously and as a rejection, with a well-behaved task registered after them.
hostile.get('/unprintable/:kind', (c) => {
  let value: unknown
  if (c.req.param('kind') === 'revoked') {
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    value = proxy
  } else {
    const cyclic = Object.create(null) as Record<string, unknown>
    cyclic.self = cyclic
    value = cyclic
  }
  return respond(c.executionCtx, c.text('ok'), [
    function syncUnprintable() {
      throw value
    },
    async function asyncUnprintable() {
      throw value
    },
    function bystander() {},
  ])
})

// A task whose result is an object with a `then` getter that throws: `await` would turn
// that into a rejection, so it must be reported as an error like any other.
hostile.get('/trapped-result', (c) =>
  respond(c.executionCtx, c.text('ok'), [
    function trappedResult() {
      return {
        get then(): never {
          throw new Error('the then getter threw')
        },
      }
    },
    function bystander() {},
  ]),
)
