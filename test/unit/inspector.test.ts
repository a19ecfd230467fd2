// The inspector's bookkeeping on its own: the bounded history, the bounded queue of a
// slow watcher, and the hub's subscription, fed by a real Supervisor.
import { describe, expect, it } from 'vitest'
import { Hub } from '../../src/inspector/hub.ts'
import { TaskLog } from '../../src/inspector/task-log.ts'
import { encode, Watcher } from '../../src/inspector/watcher.ts'
import { wireEvent } from '../../src/inspector/wire.ts'
import { Supervisor } from '../../src/supervisor.ts'
import type { TaskEvent } from '../../src/types.ts'
import { EventStreamReader } from '../support/event-stream.ts'

const request = { method: 'POST', url: 'http://app/export' }
const apply = (log: TaskLog, event: TaskEvent) => log.apply(wireEvent(event, 0))

describe('TaskLog', () => {
  it('follows a task from registration to its report', () => {
    const log = new TaskLog(10)
    apply(log, { type: 'registered', id: 1, name: 'zip', request, at: 100 })
    expect(log.tasks()[0]).toMatchObject({ status: 'waiting', name: 'zip', method: 'POST', url: request.url })
    apply(log, { type: 'started', id: 1, at: 110 })
    apply(log, { type: 'progress', id: 1, done: 2, total: 6, at: 120 })
    expect(log.tasks()[0]).toMatchObject({ status: 'running', startedAt: 110, done: 2, total: 6 })
    const error = new RangeError('disk full')
    apply(log, { type: 'ended', id: 1, at: 130, report: { name: 'zip', status: 'error', error, durationMs: 20, delivery: 'confirmed', request } })
    expect(log.tasks()).toEqual([
      { id: 1, name: 'zip', method: 'POST', url: request.url, status: 'error', registeredAt: 100, startedAt: 110, endedAt: 130, durationMs: 20, delivery: 'confirmed', done: 2, total: 6, error: { name: 'RangeError', message: 'disk full' } },
    ])
    // Progress after the end (a task that kept calling it) changes nothing.
    apply(log, { type: 'progress', id: 1, done: 3, total: 6, at: 140 })
    expect(log.tasks()[0]!.done).toBe(2)
  })

  it('forgets the oldest registered first, running or not, and never holds more than its limit', () => {
    const log = new TaskLog(3)
    for (let id = 1; id <= 5; id++) apply(log, { type: 'registered', id, name: `t${id}`, request, at: id })
    expect(log.tasks().map((t) => t.id)).toEqual([3, 4, 5])
    // Events of a forgotten task are ignored...
    apply(log, { type: 'started', id: 1, at: 9 })
    expect(log.size).toBe(3)
    // ...except its report, which says all there is to show.
    apply(log, { type: 'ended', id: 2, at: 10, report: { name: 't2', status: 'ok', durationMs: 1, delivery: 'confirmed', request } })
    expect(log.tasks().map((t) => [t.id, t.status])).toEqual([[4, 'waiting'], [5, 'waiting'], [2, 'ok']])
  })

  it('forgets unfinished tasks when nobody watches any more: their end would never arrive', () => {
    const log = new TaskLog(10)
    apply(log, { type: 'registered', id: 1, name: 'a', request, at: 1 })
    apply(log, { type: 'registered', id: 2, name: 'b', request, at: 2 })
    apply(log, { type: 'ended', id: 2, at: 3, report: { name: 'b', status: 'ok', durationMs: 1, delivery: 'confirmed', request } })
    log.forgetUnfinished()
    expect(log.tasks().map((t) => t.name)).toEqual(['b'])
  })
})

describe('Watcher', () => {
  it('stops queueing for a client that does not read, then sends it a snapshot once it has caught up', async () => {
    const maxQueued = 10_000
    const watcher = new Watcher(encode('first\n\n'), maxQueued, () => encode('data: {"type":"snapshot"}\n\n'), () => {})
    const chunk = encode(`data: ${JSON.stringify({ type: 'progress', pad: 'x'.repeat(1000) })}\n\n`)
    for (let i = 0; i < 1000; i++) watcher.send(chunk)
    const reader = watcher.body.getReader()
    const decoder = new TextDecoder()
    let text = ''
    // Everything queued is what the bound allowed: about maxQueued plus the high-water mark.
    for (;;) {
      const { value } = await reader.read()
      text += decoder.decode(value)
      if (text.includes('snapshot')) break
    }
    const queued = text.split('"progress"').length - 1
    expect(queued).toBeGreaterThan(5)
    expect(queued * chunk.byteLength).toBeLessThan(maxQueued + 16 * 1024 + chunk.byteLength * 2)
    expect(text.endsWith('data: {"type":"snapshot"}\n\n')).toBe(true)
    await reader.cancel()
  })

  it('leaves once, whether the client cancels or the server ends it', async () => {
    let left = 0
    const watcher = new Watcher(encode('x'), 1000, () => encode(''), () => left++)
    await watcher.body.cancel()
    watcher.end()
    expect(left).toBe(1)
  })
})

describe('Hub', () => {
  const options = { history: 5, maxWatchers: 2, heartbeat: 60_000, flushInterval: 5, maxQueued: 1 << 20 }

  it('subscribes to the source while a watcher is open, and not before or after', async () => {
    const supervisor = new Supervisor({ onError: () => {} })
    const hub = new Hub(supervisor, options)
    expect(supervisor.watched).toBe(false)
    const watcher = hub.open() as Watcher
    expect(supervisor.watched).toBe(true)
    expect(hub.open()).toBeInstanceOf(Watcher)
    expect(hub.open()).toBe('too many watchers: 2 streams are open and maxWatchers is 2')
    hub.close()
    expect(supervisor.watched).toBe(false)
    expect(hub.open()).toBe('the server is closing')
    // Ended cleanly: a reader sees the stream finish.
    const stream = new EventStreamReader(watcher.body)
    await stream.end()
    expect(stream.events.at(-1)).toMatchObject({ type: 'closing' })
  })

  it('unwatched, hears only ends and keeps the last `history` of them, oldest first', () => {
    const supervisor = new Supervisor({ onError: () => {} })
    const hub = new Hub(supervisor, options)
    // The source builds no event at registration or start for it.
    expect(supervisor.watched).toBe(false)
    for (let i = 1; i <= 7; i++) {
      const run = supervisor.create(`t-${i}`, request.method, request.url, undefined)
      run.start(i === 7 ? () => { throw new RangeError('disk full') } : () => {})
    }
    supervisor.create('still-running', request.method, request.url, undefined)
    expect(hub.tasks().map((t) => [t.name, t.status])).toEqual([
      ['t-3', 'ok'],
      ['t-4', 'ok'],
      ['t-5', 'ok'],
      ['t-6', 'ok'],
      ['t-7', 'error'],
    ])
    expect(hub.tasks().at(-1)!.error).toEqual({ name: 'RangeError', message: 'disk full' })
  })

  it('turns a flood into snapshots, follows only ends while it lasts, then every event again', async () => {
    const supervisor = new Supervisor({ onError: () => {} })
    const hub = new Hub(supervisor, options)
    const stream = new EventStreamReader((hub.open() as Watcher).body)
    await stream.event((e) => e.type === 'snapshot', 'the first snapshot')
    const runs = Array.from({ length: 20 }, (_, i) => supervisor.create(`burst-${i}`, request.method, request.url, undefined))
    // The flood is past the history (5): the source builds no more events at registration or start.
    expect(supervisor.watched).toBe(false)
    for (const run of runs.slice(-3)) run.start(() => {})
    await stream.until(() => stream.events.filter((e) => e.type === 'snapshot').length === 2, 'a second snapshot')
    expect(stream.events.map((e) => e.type)).toEqual(['snapshot', 'snapshot'])
    const flood = stream.events[1]!
    expect(flood.pending).toBe(17)
    // The tasks seen before the flood, then those that ended during it.
    expect(flood.tasks.map((t: { name: string; status: string }) => `${t.name} ${t.status}`)).toEqual([
      'burst-4 waiting',
      'burst-5 waiting',
      'burst-17 ok',
      'burst-18 ok',
      'burst-19 ok',
    ])
    // A flush with few ends: every event is followed again.
    await stream.until(() => supervisor.watched, 'the flood to ebb')
    supervisor.create('after-the-flood', request.method, request.url, undefined)
    await stream.event((e) => e.type === 'registered' && e.name === 'after-the-flood', 'the next registration as an event')
    hub.close()
  })
})
