// The supervisor and its task runs, driven directly: one report per task whatever
// happens to it, pending counted exactly, and shutdown that aborts what it abandons.
import { describe, expect, it, vi } from 'vitest'
import { Supervisor } from '../../src/supervisor.ts'
import type { Task, TaskEvent, TaskReport } from '../../src/types.ts'

const request = { method: 'GET', url: 'http://x.test/' }

/** A supervisor whose reports and errors are recorded, not logged. */
function supervised(options: { taskTimeout?: number } = {}) {
  const reports: TaskReport[] = []
  const errors: Array<[Error, TaskReport]> = []
  const supervisor = new Supervisor({
    ...options,
    onTaskEnd: (report) => reports.push(report),
    onError: (error, report) => errors.push([error, report]),
  })
  return { supervisor, reports, errors }
}

/** A task that only ends when told to, or when its signal aborts. */
function controlled() {
  let end!: () => void
  let signal!: AbortSignal
  const task: Task = (s) => {
    signal = s
    return new Promise<void>((resolve) => {
      end = resolve
      s.addEventListener('abort', () => resolve())
    })
  }
  return { task, end: () => end(), signal: () => signal }
}

describe('Supervisor', () => {
  it('counts a task pending from registration to its report', async () => {
    const { supervisor, reports } = supervised()
    const { task, end } = controlled()
    const run = supervisor.create('held', request.method, request.url, undefined)
    expect(supervisor.pending).toBe(1)
    run.start(task)
    expect(supervisor.pending).toBe(1)
    end()
    await supervisor.idle()
    expect(supervisor.pending).toBe(0)
    expect(reports).toMatchObject([{ name: 'held', status: 'ok', request }])
    expect({ completed: supervisor.completed, abandoned: supervisor.abandoned }).toEqual({ completed: 1, abandoned: 0 })
  })

  it('reports once, whichever of settle, timeout or abandonment comes first', async () => {
    const { supervisor, reports } = supervised()
    const run = supervisor.create('raced', request.method, request.url, 10)
    // The task rejects once its signal aborts: a second outcome that must be ignored.
    run.start((signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))))
    await supervisor.idle()
    supervisor.abandonAll()
    run.finish('ok')
    await new Promise((resolve) => setImmediate(resolve))
    expect(reports.map((r) => r.status)).toEqual(['timeout'])
    expect(supervisor.pending).toBe(0)
    expect(supervisor.completed + supervisor.abandoned).toBe(1)
  })

  it('abandonAll aborts every signal, shared or a task’s own, with an AbortError, and reports each abandoned', async () => {
    const { supervisor, reports, errors } = supervised()
    const shared = controlled()
    const own = controlled()
    supervisor.create('shared', request.method, request.url, undefined).start(shared.task)
    supervisor.create('own', request.method, request.url, 60_000).start(own.task)
    expect(own.signal()).not.toBe(shared.signal())
    supervisor.abandonAll()
    for (const signal of [shared.signal(), own.signal()]) {
      expect(signal.aborted).toBe(true)
      expect((signal.reason as DOMException).name).toBe('AbortError')
    }
    expect(reports.map((r) => `${r.name}:${r.status}`).sort()).toEqual(['own:abandoned', 'shared:abandoned'])
    expect(errors.map(([error]) => error.message).sort()).toEqual([
      'task "own" was abandoned: the server closed before it finished',
      'task "shared" was abandoned: the server closed before it finished',
    ])
    expect({ pending: supervisor.pending, abandoned: supervisor.abandoned, completed: supervisor.completed }).toEqual({
      pending: 0,
      abandoned: 2,
      completed: 0,
    })
  })

  it('abandons at once, unstarted and unrun, a task registered after abandonAll', () => {
    const { supervisor, reports } = supervised()
    supervisor.abandonAll()
    const task = vi.fn()
    const run = supervisor.create('late', request.method, request.url, undefined)
    run.start(task)
    expect(task).not.toHaveBeenCalled()
    expect(reports).toMatchObject([{ name: 'late', status: 'abandoned', durationMs: 0 }])
    expect(supervisor.pending).toBe(0)
  })

  it('drain waits for tasks until the deadline, counting them completed', async () => {
    const { supervisor, reports } = supervised()
    const { task, end } = controlled()
    supervisor.create('quick', request.method, request.url, undefined).start(task)
    const draining = supervisor.drain(performance.now() + 60_000)
    end()
    await draining
    expect(reports.map((r) => r.status)).toEqual(['ok'])
    expect(supervisor.abandoned).toBe(0)
  })

  it('drain abandons what is still running at the deadline', async () => {
    const { supervisor, reports } = supervised()
    const stuck = controlled()
    supervisor.create('stuck', request.method, request.url, undefined).start(stuck.task)
    await supervisor.drain(performance.now() + 5)
    expect(stuck.signal().aborted).toBe(true)
    expect(reports.map((r) => r.status)).toEqual(['abandoned'])
  })

  it('drain with nothing pending or a past deadline abandons without waiting', async () => {
    const { supervisor, reports } = supervised()
    const stuck = controlled()
    supervisor.create('stuck', request.method, request.url, undefined).start(stuck.task)
    await supervisor.drain(performance.now() - 1)
    expect(reports.map((r) => r.status)).toEqual(['abandoned'])
  })

  it('idle resolves at once when nothing is pending, and wakes every waiter when the last task ends', async () => {
    const { supervisor } = supervised()
    await supervisor.idle()
    const a = controlled()
    const b = controlled()
    supervisor.create('a', request.method, request.url, undefined).start(a.task)
    supervisor.create('b', request.method, request.url, undefined).start(b.task)
    let woken = 0
    const waiting = [supervisor.idle(), supervisor.idle()].map((p) => p.then(() => woken++))
    a.end()
    await new Promise((resolve) => setImmediate(resolve))
    expect(woken).toBe(0)
    b.end()
    await Promise.all(waiting)
    expect(woken).toBe(2)
  })

  it('takes the default taskTimeout, and Infinity overrides it with none', async () => {
    const { supervisor, reports } = supervised({ taskTimeout: 5 })
    const never: Task = () => new Promise(() => {})
    supervisor.create('default', request.method, request.url, undefined).start(never)
    const unbounded = controlled()
    supervisor.create('unbounded', request.method, request.url, Infinity).start(unbounded.task)
    await vi.waitFor(() => expect(reports).toHaveLength(1))
    expect(reports[0]).toMatchObject({ name: 'default', status: 'timeout', error: { name: 'TimeoutError', message: 'task "default" timed out after 5 ms' } })
    expect(unbounded.signal().aborted).toBe(false)
    unbounded.end()
    await supervisor.idle()
    expect(reports.map((r) => r.status)).toEqual(['timeout', 'ok'])
  })

  it('builds no report for a task that ended well when nobody listens, and logs failures by default', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const supervisor = new Supervisor()
      const fine = supervisor.create('fine', request.method, request.url, undefined)
      const report = vi.spyOn(fine, 'report')
      fine.start(() => {})
      supervisor.create('broken', 'POST', 'http://x.test/b', undefined).start(() => {
        throw new Error('disk full')
      })
      await supervisor.idle()
      expect(report).not.toHaveBeenCalled()
      expect(log).toHaveBeenCalledTimes(1)
      expect(String(log.mock.calls[0][0])).toMatch(/^\[finish-request\] task "broken" error after \d+ ms \(POST http:\/\/x\.test\/b\): Error: disk full$/)
    } finally {
      log.mockRestore()
    }
  })

  it('notify passes a failure that ended no task run here (an enqueue failure) to onError and onTaskEnd', () => {
    const { supervisor, errors, reports } = supervised()
    const report: TaskReport = { name: 'job', status: 'error', durationMs: 2_000, delivery: 'returned', request }
    const error = new Error('engine down')
    supervisor.notify(error, report)
    expect(errors).toEqual([[error, report]])
    expect(reports).toEqual([report])
    // Nothing was pending, nothing is counted.
    expect([supervisor.pending, supervisor.completed]).toEqual([0, 0])
  })
})

describe('a task run', () => {
  it('reports how long the task ran, 0 if it never started, and the job it belongs to', async () => {
    const { supervisor, reports } = supervised()
    const job = { id: 'export:42', queue: 'exports', attempt: 1, attempts: 3 }
    supervisor.create('never-started', request.method, request.url, undefined, job).abandon()
    let window = { from: 0, to: 0 }
    supervisor.create('timed', request.method, request.url, undefined).start(async () => {
      const from = performance.now()
      await new Promise((resolve) => setTimeout(resolve, 2))
      window = { from, to: performance.now() }
    })
    await supervisor.idle()
    expect(reports[0]).toMatchObject({ name: 'never-started', status: 'abandoned', durationMs: 0, job })
    expect(reports[1].durationMs).toBeGreaterThanOrEqual(window.to - window.from)
    expect(reports[1]).not.toHaveProperty('job')
    expect(reports[1]).not.toHaveProperty('error')
  })

  it('gives a task without a timeout the supervisor’s shared signal, one with a timeout its own', () => {
    const { supervisor } = supervised()
    const signals: AbortSignal[] = []
    const keep: Task = (signal) => void signals.push(signal)
    supervisor.create('a', request.method, request.url, undefined).start(keep)
    supervisor.create('b', request.method, request.url, undefined).start(keep)
    supervisor.create('c', request.method, request.url, 1000).start(keep)
    expect(signals[0]).toBe(signals[1])
    expect(signals[0]).toBe(supervisor.sharedSignal())
    expect(signals[2]).not.toBe(signals[0])
    expect(signals.some((s) => s.aborted)).toBe(false)
  })

  it('clears the deadline of a task that ended in time: its signal never aborts', async () => {
    const { supervisor, reports } = supervised()
    let signal!: AbortSignal
    supervisor.create('fast', request.method, request.url, 20).start((s) => void (signal = s))
    await new Promise((resolve) => setTimeout(resolve, 40))
    expect(signal.aborted).toBe(false)
    expect(reports.map((r) => r.status)).toEqual(['ok'])
  })

  it('done() resolves once the task is reported, and at once for one already reported', async () => {
    const { supervisor } = supervised()
    const { task, end } = controlled()
    const run = supervisor.create('held', request.method, request.url, undefined)
    const done = run.done()
    let resolved = false
    void done.then(() => (resolved = true))
    run.start(task)
    await new Promise((resolve) => setImmediate(resolve))
    expect(resolved).toBe(false)
    end()
    await done
    await run.done()
  })

  it('treats a returned thenable as the task’s outcome, a plain value as done', async () => {
    const { supervisor, reports } = supervised()
    const thenable = { then: (_: unknown, reject: (e: unknown) => void) => reject(new Error('thenable rejected')) }
    supervisor.create('thenable', request.method, request.url, undefined).start(() => thenable)
    supervisor.create('value', request.method, request.url, undefined).start(() => 42)
    supervisor.create('function-result', request.method, request.url, undefined).start(() => () => {})
    await supervisor.idle()
    expect(reports.map((r) => `${r.name}:${r.status}`).sort()).toEqual(['function-result:ok', 'thenable:error', 'value:ok'])
  })

  it('a start after the run settled does nothing', () => {
    const { supervisor } = supervised()
    const run = supervisor.create('gone', request.method, request.url, undefined)
    run.abandon()
    const task = vi.fn()
    run.start(task)
    expect(task).not.toHaveBeenCalled()
  })
})

describe('task events', () => {
  it('tells a subscriber registered, started, progress and ended, with one id per task', async () => {
    const { supervisor } = supervised()
    const events: TaskEvent[] = []
    const unsubscribe = supervisor.subscribe((event) => events.push(event))
    expect(supervisor.watched).toBe(true)
    const run = supervisor.create('zip', request.method, request.url, undefined, { id: 'j', queue: 'q', attempt: 1, attempts: 1 })
    run.start((_, task) => {
      task.progress(1, 4)
      task.progress(2)
    })
    await supervisor.idle()
    expect(events.map((e) => e.type)).toEqual(['registered', 'started', 'progress', 'progress', 'ended'])
    expect(new Set(events.map((e) => ('id' in e ? e.id : undefined)))).toEqual(new Set([run.id]))
    expect(events[0]).toMatchObject({ name: 'zip', request, job: { id: 'j' } })
    expect(events[2]).toMatchObject({ done: 1, total: 4 })
    expect(events[3]).toMatchObject({ done: 2 })
    expect(events[3]).not.toHaveProperty('total')
    expect(events[4]).toMatchObject({ report: { name: 'zip', status: 'ok' } })
    for (const e of events) expect(typeof e.at).toBe('number')
    unsubscribe()
    expect(supervisor.watched).toBe(false)
    supervisor.create('unwatched', request.method, request.url, undefined).start(() => {})
    await supervisor.idle()
    expect(events).toHaveLength(5)
  })

  it('keeps other subscribers when one unsubscribes, and survives a subscriber that throws', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const { supervisor } = supervised()
      const kept: string[] = []
      const off = supervisor.subscribe(() => {
        throw new Error('listener broke')
      })
      supervisor.subscribe((e) => kept.push(e.type))
      supervisor.create('a', request.method, request.url, undefined).start(() => {})
      await supervisor.idle()
      off()
      expect(supervisor.watched).toBe(true)
      expect(kept).toEqual(['registered', 'started', 'ended'])
      expect(log).toHaveBeenCalledTimes(3)
    } finally {
      log.mockRestore()
    }
  })

  it('progress after the end, or with nobody watching, emits nothing; non-numbers are a TypeError', async () => {
    const { supervisor } = supervised()
    const events: TaskEvent[] = []
    let control!: Parameters<Task>[1]
    supervisor.create('p', request.method, request.url, undefined).start((_, task) => {
      control = task
      task.progress(1)
    })
    const off = supervisor.subscribe((e) => events.push(e))
    control.progress(2)
    expect(events).toEqual([])
    expect(() => control.progress('1' as never)).toThrow(
      new TypeError('task.progress(done, total): done and total must be numbers, got string and undefined'),
    )
    expect(() => control.progress(1, '2' as never)).toThrow(/got number and string/)
    off()
  })
})

describe('what a task returns', () => {
  it('null, undefined and plain values are a success; a function with a then is awaited like any thenable', async () => {
    const { supervisor, reports } = supervised()
    supervisor.create('null', request.method, request.url, undefined).start(() => null)
    supervisor.create('undefined', request.method, request.url, undefined).start(() => undefined)
    const thenableFunction = Object.assign(() => {}, { then: (_: unknown, reject: (e: unknown) => void) => reject(new Error('no')) })
    supervisor.create('thenable-function', request.method, request.url, undefined).start(() => thenableFunction)
    await supervisor.idle()
    expect(reports.map((r) => `${r.name}:${r.status}`).sort()).toEqual(['null:ok', 'thenable-function:error', 'undefined:ok'])
  })

  it('the shared signal aborts at shutdown with a reason that says why', () => {
    const { supervisor } = supervised()
    const signal = supervisor.sharedSignal()
    supervisor.abandonAll()
    expect(signal.reason).toMatchObject({ name: 'AbortError', message: 'the server closed before the task finished' })
  })
})
