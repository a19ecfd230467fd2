// The core's telemetry hook, driven with a recording Telemetry: when each call happens,
// in which async context, and that a task ends once whatever ends it.
import { AsyncLocalStorage } from 'node:async_hooks'
import { describe, expect, it } from 'vitest'
import { after, respond } from '../../src/index.ts'
import { Supervisor } from '../../src/supervisor.ts'
import type { TaskRegistration, Telemetry } from '../../src/telemetry.ts'
import { createExecutionContext, waitOnExecutionContext } from '../../src/testing.ts'
import type { TaskReport } from '../../src/types.ts'

const store = new AsyncLocalStorage<string>()

/** Records every call, with the AsyncLocalStorage store current at the call. */
function recording() {
  const calls: Array<{ call: string; store?: string; name?: string; report?: TaskReport; registration?: TaskRegistration }> = []
  const telemetry: Telemetry = {
    task(registration) {
      calls.push({ call: 'task', store: store.getStore(), registration })
      return {
        run(fn, ...args) {
          calls.push({ call: 'run', name: registration.name })
          // What the hook makes current is what the task sees.
          return store.run(`span of ${registration.name}`, fn, ...args)
        },
        end(report) {
          calls.push({ call: 'end', name: registration.name, report })
        },
      }
    },
  }
  return { telemetry, calls }
}

describe('the telemetry hook', () => {
  it('is asked at registration, in the registering code’s context, runs the task through run(), and ends it with its report', async () => {
    const { telemetry, calls } = recording()
    const ctx = createExecutionContext({ telemetry })
    let seen: string | undefined
    store.run('request 1', () =>
      respond(ctx, new Response(), function work() {
        seen = store.getStore()
      }),
    )
    expect(calls.map((c) => c.call)).toEqual(['task'])
    expect(calls[0]).toMatchObject({ store: 'request 1', registration: { name: 'work' } })
    await waitOnExecutionContext(ctx)
    expect(seen).toBe('span of work')
    expect(calls.map((c) => c.call)).toEqual(['task', 'run', 'end'])
    expect(calls[2]!.report).toMatchObject({ name: 'work', status: 'ok' })
  })

  it('ends a failing, a timed-out and a waitUntil task once each, with their reports', async () => {
    const { telemetry, calls } = recording()
    const ctx = createExecutionContext({ telemetry })
    after(ctx, function fails() {
      throw new Error('no')
    })
    after(ctx, function late(signal) {
      return new Promise((resolve) => signal.addEventListener('abort', resolve))
    }, { timeout: 5 })
    ctx.waitUntil(Promise.resolve())
    await waitOnExecutionContext(ctx)
    const ends = calls.filter((c) => c.call === 'end').map((c) => [c.name, c.report!.status])
    expect(ends.sort()).toEqual([['fails', 'error'], ['late', 'timeout'], ['waitUntil', 'ok']])
    expect(calls.filter((c) => c.call === 'run')).toHaveLength(3)
  })

  it('ends a task abandoned before it started without running it', () => {
    const { telemetry, calls } = recording()
    const supervisor = new Supervisor({ telemetry, onError: () => {} })
    supervisor.abandonAll()
    // Accepted after the drain deadline: abandoned at once, never started.
    const run = supervisor.create('tooLate', 'GET', 'http://x.test/', undefined)
    expect(run.settled).toBe(true)
    expect(calls.map((c) => c.call)).toEqual(['task', 'end'])
    expect(calls[1]!.report).toMatchObject({ name: 'tooLate', status: 'abandoned', durationMs: 0 })
  })

  it('passes a durable attempt its job and the trace context it carried', () => {
    const { telemetry, calls } = recording()
    const supervisor = new Supervisor({ telemetry })
    const job = { id: 'export:1', queue: 'exports', attempt: 2, attempts: 3 }
    supervisor.create('buildZip', 'POST', 'http://x.test/export', undefined, job, { traceparent: 'tp' })
    expect(calls[0]!.registration).toEqual({ name: 'buildZip', job, trace: { traceparent: 'tp' } })
  })

  it('does not take a task down with it when end() throws', async () => {
    const errors: unknown[] = []
    const original = console.error
    console.error = (...args: unknown[]) => void errors.push(args)
    try {
      const ctx = createExecutionContext({
        telemetry: { task: () => ({ run: (fn, ...args) => fn(...args), end: () => { throw new Error('exporter broke') } }) },
      })
      after(ctx, () => {})
      expect(await waitOnExecutionContext(ctx)).toMatchObject([{ status: 'ok' }])
      expect(errors).toHaveLength(1)
    } finally {
      console.error = original
    }
  })

  it('leaves a task alone when the telemetry has nothing to record for it', async () => {
    let asked = 0
    const ctx = createExecutionContext({ telemetry: { task: () => void asked++ } })
    let ran = false
    after(ctx, () => void (ran = true))
    expect(await waitOnExecutionContext(ctx)).toMatchObject([{ status: 'ok' }])
    expect([asked, ran]).toEqual([1, true])
  })

  it('rejects a telemetry option that is not one, naming it', () => {
    expect(() => createExecutionContext({ telemetry: { run() {} } as never })).toThrow(
      /^createExecutionContext\(options\): options.telemetry must be an object with a task\(registration\) method, such as otel\(\) from finish-request\/otel, got Object$/,
    )
  })
})
