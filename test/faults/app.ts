// The fault server: one Hono app, public API only, served unchanged by every
// runtime's entry. Each route is the workload of one scenario (R1–R6); what the
// tasks did goes to the ledger (probe.ts), what the server knows to GET /stats.
import { Hono } from 'hono'
import { contextStorage, getContext } from 'hono/context-storage'
import { streamText } from 'hono/streaming'
import { after, respond, type Task } from 'finish-request'
import { hostile } from './hostile.ts'
import { counts, ledger, memory, peakPending, pending, resetPeaks } from './probe.ts'
import { requestStore } from './request-store.ts'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export const app = new Hono()

app.get('/stats', (c) => c.json({ ...counts, pending: pending(), peakPending: peakPending(), memory: memory() }))

app.get('/stats/reset-peaks', (c) => {
  resetPeaks()
  return c.json(memory())
})

// A deliberate unhandled rejection and uncaught exception, outside the library: proves
// the counters see one, so a zero from them means something.
app.get('/control', (c) => {
  void Promise.reject(new Error('control: a deliberate unhandled rejection'))
  setTimeout(() => {
    throw new Error('control: a deliberate uncaught exception')
  }, 0)
  return c.text('ok')
})

// R1: work the client was promised, 50–500 ms long (the client picks `ms`).
app.get('/work', (c) => {
  const id = c.req.query('id')
  const ms = Number(c.req.query('ms'))
  return respond(c.executionCtx, c.json({ id }), async function work() {
    await sleep(ms)
    ledger('done', { id })
  })
})

// R2: `n` failing tasks per request, of four kinds in turn.
const NON_ERRORS: unknown[] = ['a string', { code: 7 }, undefined, null, 42, 10n, Symbol('thrown')]
function failing(i: number): Task {
  switch (i % 4) {
    case 0:
      return async function asyncThrow() {
        throw new Error(`async throw ${i}`)
      }
    case 1:
      return function reject() {
        return Promise.reject(new Error(`rejected ${i}`))
      }
    case 2: {
      const value = NON_ERRORS[i % NON_ERRORS.length]
      // Half thrown synchronously, half as a rejection.
      return i % 8 === 2
        ? function nonError() {
            throw value
          }
        : async function nonError() {
            throw value
          }
    }
    default:
      return function syncThrow() {
        throw new Error(`sync throw ${i}`)
      }
  }
}

app.get('/storm', (c) => {
  const n = Number(c.req.query('n'))
  const tasks = Array.from({ length: n }, (_, i) => failing(i))
  // Both ways in: one respond() with an array, or one after() per task.
  if (c.req.query('via') === 'after') {
    for (const task of tasks) after(c.executionCtx, task)
    return c.text('ok')
  }
  return respond(c.executionCtx, c.text('ok'), tasks)
})

// R3: the task is registered first; the client hangs up while the handler waits
// (`delay`) or while the body streams (`chunks`, 5 ms apart).
app.get('/hangup', async (c) => {
  after(c.executionCtx, async function hangup() {
    await sleep(1)
  })
  const delay = Number(c.req.query('delay') ?? 0)
  if (delay > 0) await sleep(delay)
  const chunks = Number(c.req.query('chunks') ?? 0)
  if (chunks === 0) return c.text('too late, nobody is listening')
  return streamText(c, async (stream) => {
    for (let i = 0; i < chunks; i++) {
      await stream.write(`${'x'.repeat(1023)}\n`)
      await stream.sleep(5)
    }
  })
})

// R4: each accepted task holds `kb` KiB for `ms`, as real work holds its data.
app.get('/hold', (c) => {
  const id = c.req.query('id')
  const kb = Number(c.req.query('kb'))
  const ms = Number(c.req.query('ms'))
  return respond(c.executionCtx, c.json({ id }), async function hold() {
    // fill() touches every page, so the memory is resident, not a lazy zero mapping.
    const held = new Uint8Array(kb * 1024).fill(7)
    await sleep(ms)
    if (held[held.length - 1] !== 7) throw new Error('held memory changed')
  })
})

// R6: handlers and tasks interleave (random waits); each task and the task it
// registers (through the ctx-free after()) record the id their own request carried,
// the user's AsyncLocalStorage store and Hono's contextStorage() context. Names carry
// the id too, so a report can be checked against the request it claims.
app.use('/whoami', contextStorage())
app.use('/whoami', (c, next) => requestStore.run(c.req.query('id')!, next))
const honoId = () => getContext().req.query('id')
app.get('/whoami', async (c) => {
  const id = c.req.query('id')!
  const wait = Number(c.req.query('wait'))
  await sleep(wait)
  return respond(
    c.executionCtx,
    c.json({ id: c.req.query('id'), header: c.req.header('x-id') }),
    async () => {
      await sleep(wait)
      ledger('ran', { id, seen: c.req.query('id'), header: c.req.header('x-id'), store: requestStore.getStore(), hono: honoId() })
      after(
        async () => {
          await sleep(1)
          ledger('ran', { id, seen: c.req.query('id'), nested: true, store: requestStore.getStore(), hono: honoId() })
        },
        { name: `nested:${id}` },
      )
    },
    { name: `task:${id}` },
  )
})

// R5
app.route('/hostile', hostile)
