// What only the PostgreSQL store has: the app's own pg.Pool as the connection, BullMQ's
// schema and migrations, and a database that is not ready when a process starts. On a
// real PostgreSQL (Debian's server, started for this file) and real BullMQ.
import { createPostgresBackend, withBackend } from 'bullmq'
import { Hono } from 'hono'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { respond, type TaskReport } from 'finish-request'
import { queue } from 'finish-request/bullmq'
import { serve, type Server } from 'finish-request/node'
import { startPostgres, type TestPostgres } from '../helpers/postgres.ts'
import { migrate } from '../helpers/stores.ts'

const { Queue } = withBackend(createPostgresBackend)

let postgres: TestPostgres
const opened: Array<{ close(): Promise<unknown> }> = []
let count = 0
const unique = (what: string) => `${what}_${process.pid}_${++count}`

beforeAll(async () => {
  postgres = await startPostgres()
})
afterAll(async () => {
  for (const thing of opened.reverse()) await thing.close().catch(() => {})
  await postgres?.stop()
})

function served(app: Hono, errors: Error[] = []): Promise<Server> {
  const server = serve(app, { port: 0, signals: false, onError: (error) => errors.push(error) })
  opened.push(server)
  return server.ready()
}

function worker(jobs: ReturnType<typeof queue>) {
  const reports: TaskReport[] = []
  const running = jobs.work({ signals: false, onTaskEnd: (r) => void reports.push(r), onError: () => {} })
  opened.push(running)
  return reports
}

describe('finish-request/bullmq on PostgreSQL', () => {
  it("runs on the app's own pg.Pool (migrate: true migrates through it), and leaves the pool open for the app", async () => {
    // BullMQ's tables are found through the pool's search_path (its schema is `bullmq`).
    const pool = new pg.Pool({ connectionString: postgres.url, options: '-c search_path=bullmq,public', max: 4 })
    opened.push({ close: () => pool.end() })
    const jobs = queue({ connection: pool, name: unique('pool'), migrate: true })
    const ran: unknown[] = []
    const sendMail = jobs.define('sendMail', (payload) => void ran.push(payload))
    const app = new Hono().post('/signup', (c) => respond(c.json({ ok: true }), sendMail({ to: 'a@example.com' }, { id: 'mail:a' })))
    const server = await served(app)
    expect((await fetch(new URL('signup', server.url), { method: 'POST' })).status).toBe(200)
    const reports = worker(jobs)
    await expect.poll(() => reports.map((r) => [r.status, r.job?.id])).toEqual([['ok', 'mail:a']])
    expect(ran).toEqual([{ to: 'a@example.com' }])
    await jobs.close()
    // Ours to share, not to close.
    expect((await pool.query('select 1 as one')).rows).toEqual([{ one: 1 }])
  })

  it("options.schema with migrate: true: BullMQ creates its tables in that schema on first connect", async () => {
    const schema = unique('jobs')
    const jobs = queue({ connection: postgres.url, name: unique('schema'), schema, migrate: true })
    opened.push(jobs)
    const build = jobs.define('build', () => {})
    const id = await build.enqueue({ n: 1 }, { id: 'build:1' })
    expect(id).toBe('build:1')
    const inSchema = new Queue(jobs.name, { connection: { connectionString: postgres.url, schema } })
    opened.push(inSchema)
    expect(await inSchema.getJobState('build%3A1')).toBe('waiting')
    const reports = worker(jobs)
    await expect.poll(() => reports.map((r) => r.status)).toEqual(['ok'])
  })

  it('a schema never migrated: requests fall back saying so, a worker waits, and both go on once it is migrated', async () => {
    const schema = unique('later')
    const jobs = queue({ connection: postgres.url, name: unique('later'), schema })
    opened.push(jobs)
    const ranHere: unknown[] = []
    const build = jobs.define('build', (payload) => void ranHere.push(payload))
    const app = new Hono().get('/build/:n', (c) => respond(c.text('ok'), build({ n: Number(c.req.param('n')) })))
    const errors: Error[] = []
    const server = await served(app, errors)
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const reports = worker(jobs)
      expect((await fetch(new URL('build/1', server.url))).status).toBe(200)
      await expect.poll(() => ranHere).toEqual([{ n: 1 }])
      expect(errors.map((e) => e.name)).toEqual(['EnqueueError'])
      expect(errors[0].message).toMatch(/job "build" could not be enqueued .*schema "later_\d+_\d+" is not initialized.*: it runs in this process after the response/)
      // The worker says once why it has not started, however often it tries.
      await expect.poll(() => logged.mock.calls.length).toBeGreaterThan(0)
      await new Promise((resolve) => setTimeout(resolve, 800))
      expect(logged.mock.calls.map(([line]) => String(line))).toEqual([
        expect.stringMatching(/^\[finish-request\] jobs\.work\(\): queue "later_\d+_\d+" cannot start on PostgreSQL yet \(SchemaMigrationRequiredError: .*\); retrying$/),
      ])

      // The deployment step, while both processes keep running.
      await migrate(postgres.url, schema)
      expect((await fetch(new URL('build/2', server.url))).status).toBe(200)
      await expect.poll(() => reports.map((r) => [r.status, r.job?.attempt]), { timeout: 10_000 }).toEqual([['ok', 1]])
      // The second went to the queue (no second fallback): the worker ran it.
      expect(errors).toHaveLength(1)
      expect(ranHere).toEqual([{ n: 1 }, { n: 2 }])
    } finally {
      logged.mockRestore()
    }
  })

  it("a role with only the README's runtime rights enqueues and works; without CREATE it cannot number a job", async () => {
    await migrate(postgres.url)
    const admin = new pg.Client({ connectionString: postgres.url })
    await admin.connect()
    opened.push({ close: () => admin.end() })
    const role = unique('app')
    const rights = [
      `grant usage on schema bullmq to ${role}`,
      `grant select, insert, update, delete on all tables in schema bullmq to ${role}`,
      `grant usage, select on all sequences in schema bullmq to ${role}`,
      `grant execute on all functions in schema bullmq to ${role}`,
    ]
    await admin.query(`create role ${role} login`)
    for (const grant of rights) await admin.query(grant)
    const url = postgres.url.replace('postgres@', `${role}@`)

    const withoutCreate = queue({ connection: url, name: unique('rights') })
    opened.push(withoutCreate)
    await expect(withoutCreate.define('job', () => {}).enqueue({})).rejects.toThrow(/permission denied for schema bullmq/)

    await admin.query(`grant create on schema bullmq to ${role}`)
    const jobs = queue({ connection: url, name: unique('rights') })
    opened.push(jobs)
    const job = jobs.define('job', () => {}, { attempts: 2, backoff: 10 })
    const flaky = jobs.define('flaky', () => { throw new Error('once more') }, { attempts: 2, backoff: 10 })
    await job.enqueue({ a: 1 })
    await flaky.enqueue({}, { id: 'flaky:1' })
    const reports = worker(jobs)
    await expect.poll(() => reports.map((r) => `${r.name} ${r.status} ${r.job?.attempt}`).sort()).toEqual(['flaky error 1', 'flaky error 2', 'job ok 1'])
  })
})
