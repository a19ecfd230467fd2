// What the durable-job API refuses at the call, before any connection is opened (the
// producer connects on its first job, so no Redis is needed here).
import { describe, expect, it } from 'vitest'
import { queue } from 'finish-request/bullmq'
import { queue as cloudflareQueue, worker } from 'finish-request/cloudflare'
import { serializePayload } from '../../src/durable/payload.ts'

const call = 'job(payload, options)'

describe('payloads', () => {
  it('counts the limit in UTF-8 bytes, as the engines do', () => {
    expect(serializePayload(call, 'é'.repeat(10), 22).json).toBe(`"${'é'.repeat(10)}"`)
    expect(() => serializePayload(call, 'é'.repeat(10), 21)).toThrow(`${call}: payload must be at most 21 bytes of JSON, got 22 bytes`)
  })

  it('names where JSON would lose something, however deep', () => {
    expect(() => serializePayload(call, { a: [{ b: Symbol('x') }] }, 1e6)).toThrow(`${call}: payload.a[0].b must be JSON data, got symbol`)
    expect(() => serializePayload(call, [undefined], 1e6)).toThrow('payload[0] must be JSON data, got undefined')
    expect(() => serializePayload(call, { 'a-b': Infinity }, 1e6)).toThrow('payload["a-b"] must be a finite number')
    expect(() => serializePayload(call, new (class Export {})(), 1e6)).toThrow('payload must be a plain object, an array or a primitive')
    // A Date says how it becomes JSON, but the handler would get a string, not a Date.
    expect(() => serializePayload(call, { user: { when: new Date(0) } }, 1e6)).toThrow(
      `${call}: payload.user.when must be a plain object, an array or a primitive (a Date arrives as a string: pass date.toISOString() or date.getTime()), got Date`,
    )
    expect(() => serializePayload(call, [new URL('http://x/')], 1e6)).toThrow('payload[0] must be a plain object, an array or a primitive (JSON would lose what it holds), got URL')
    const shared = { x: 1 }
    // The same object twice is not a cycle.
    expect(serializePayload(call, { one: shared, two: shared }, 1e6).json).toBe('{"one":{"x":1},"two":{"x":1}}')
  })

  it('reports what only JSON.stringify finds out, such as a hidden toJSON that throws', () => {
    const payload = Object.defineProperty({}, 'toJSON', { value: () => { throw new Error('nope') } })
    expect(() => serializePayload(call, payload, 1e6)).toThrow(`${call}: payload could not be serialized (nope), got Object`)
  })
})

describe('queue(), define() and work() options', () => {
  const jobs = queue({ connection: 'redis://127.0.0.1:1', name: 'options' })

  it('queue() names the bad option', () => {
    expect(() => queue({ connection: 42 as never, name: 'x' })).toThrow(
      'queue(options): options.connection must be a Redis or PostgreSQL URL, an ioredis client or a pg.Pool, got number 42',
    )
    expect(() => queue({ connection: 'redis://x', name: 'a:b' })).toThrow('queue(options): options.name must be a non-empty string without ":"')
    expect(() => queue({ connection: 'redis://x', name: 'x', whenDown: 'retry' as never })).toThrow(`options.whenDown must be 'run' or 'refuse', got string`)
    expect(() => queue({ connection: 'redis://x', name: 'x', enqueueTimeout: -1 })).toThrow('options.enqueueTimeout must be a positive number')
    // Each store's own namespace option, and nothing of the other's.
    const pg = 'postgres://app@127.0.0.1:5432/app'
    expect(() => queue({ connection: pg, name: 'x', prefix: 'jobs' })).toThrow('options.prefix is for Redis; on PostgreSQL the namespace is options.schema')
    expect(() => queue({ connection: pg, name: 'x', schema: 'drop table' })).toThrow('options.schema must be a simple identifier')
    expect(() => queue({ connection: 'redis://x', name: 'x', schema: 'jobs' })).toThrow('options.schema is for PostgreSQL')
    expect(() => queue({ connection: 'redis://x', name: 'x', migrate: true })).toThrow('options.migrate is for PostgreSQL; Redis needs no migrations')
    expect(() => queue({ connection: pg, name: 'x', migrate: 'yes' as never })).toThrow('options.migrate must be a boolean, got string')
    const pool = { connect() {}, query() {}, end() {} }
    expect(() => queue({ connection: pool as never, name: 'x', schema: 'jobs' })).toThrow("options.schema needs a connection URL; a pg.Pool's schema is its own search_path")
    expect(() => queue({ connection: pool as never, name: 'x', migrate: true })).not.toThrow()
    expect(() => queue({ connection: 'postgresql://app@db/app', name: 'x', schema: 'jobs', migrate: true })).not.toThrow()
    expect(() => cloudflareQueue({ binding: '' })).toThrow('queue(options): options.binding must be the name of a Queue binding, got string')
  })

  it('define() names the bad argument, and a name is defined once per queue', () => {
    expect(() => jobs.define('', () => {})).toThrow('jobs.define(name, handler, options): name must be a non-empty string')
    expect(() => jobs.define('x', 'not a function' as never)).toThrow('handler must be a function, got string')
    expect(() => jobs.define('x', () => {}, { attempts: 0 })).toThrow('options.attempts must be an integer of at least 1, got number 0')
    expect(() => jobs.define('x', () => {}, { backoff: -5 })).toThrow('options.backoff must be a number of ms')
    expect(() => jobs.define('x', () => {}, { timeout: 0 })).toThrow('options.timeout must be a positive number')
    jobs.define('once', () => {})
    expect(() => jobs.define('once', () => {})).toThrow('name must be unique in its queue, "once" is defined already')
  })

  it('work() names the bad option before connecting', () => {
    expect(() => jobs.work({ concurrency: 0 })).toThrow('jobs.work(options): options.concurrency must be an integer of at least 1, got number 0')
    expect(() => jobs.work({ signals: 'SIGTERM' as never })).toThrow('options.signals must be an array of signal names or false')
    expect(() => jobs.work({ onTaskEnd: 1 as never })).toThrow('options.onTaskEnd must be a function')
  })

  it('worker() takes only queue({ binding }) results, and not beside an own queue() handler', () => {
    expect(() => worker({ fetch: () => new Response() }, { queues: [jobs as never] })).toThrow(
      'worker(app, options): options.queues must be an array of queue({ binding }) results',
    )
    const own = { fetch: () => new Response(), queue: () => {} }
    expect(() => worker(own, { queues: [cloudflareQueue({ binding: 'Q' })] })).toThrow('app has a queue() handler of its own')
  })
})
