// Durable jobs behind the middlewares (Hono on @hono/node-server, Express, Fastify), against
// a real Redis and BullMQ: a job registered during a request is acknowledged before the
// client has the response, and an engine that is down with whenDown: 'refuse' turns the
// answer into 503 + Retry-After, as under serve().
import type { AddressInfo } from 'node:net'
import { serve as honoServe } from '@hono/node-server'
import { Queue } from 'bullmq'
import express from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { after } from 'finish-request'
import { queue, type BullQueue } from 'finish-request/bullmq'
import { finishRequest as forExpress } from 'finish-request/express'
import { finishRequest as forFastify } from 'finish-request/fastify'
import { finishRequest as forHono } from 'finish-request/hono'
import { startRedis, type TestRedis } from '../helpers/redis.ts'

let redis: TestRedis
let gone: TestRedis
let queueCount = 0
const opened: Array<() => Promise<unknown>> = []

beforeAll(async () => {
  redis = await startRedis()
  gone = await startRedis()
  await gone.stop()
})
afterAll(async () => {
  for (const close of opened.reverse()) await close().catch(() => {})
  await redis.stop()
})

function jobsFor(url: string, options: Partial<Parameters<typeof queue>[0]> = {}): BullQueue {
  const jobs = queue({ connection: url, name: `adopted-${process.pid}-${++queueCount}`, enqueueTimeout: 1_000, ...options })
  opened.push(() => jobs.close())
  return jobs
}

/** A route that registers `job` with the ctx-free after() and answers `{ ok: true }`, on each framework. */
const servers: Record<string, (register: () => void) => Promise<string>> = {
  async 'Hono on @hono/node-server'(register) {
    const middleware = forHono({ signals: false, onError: () => {} })
    const app = new Hono().use(middleware).post('/export', (c) => {
      register()
      return c.json({ ok: true })
    })
    return new Promise((resolve) => {
      const server = honoServe({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, ({ port }) => resolve(`http://127.0.0.1:${port}/export`))
      opened.push(() => new Promise((done) => server.close(done)))
    })
  },
  async 'Express 5'(register) {
    const app = express()
      .use(forExpress({ signals: false, onError: () => {} }))
      .post('/export', (_req, res) => {
        register()
        res.json({ ok: true })
      })
    return new Promise((resolve) => {
      const server = app.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/export`))
      opened.push(() => new Promise((done) => server.close(done)))
    })
  },
  async 'Fastify 5'(register) {
    const fastify = Fastify()
    await fastify.register(forFastify, { signals: false, onError: () => {} })
    fastify.post('/export', async () => {
      register()
      return { ok: true }
    })
    opened.push(() => fastify.close())
    return `${await fastify.listen({ port: 0, host: '127.0.0.1' })}/export`
  },
}

describe.each(Object.keys(servers))('%s', (framework) => {
  it('a job registered during a request is in Redis by the time the client has the response', async () => {
    const jobs = jobsFor(redis.url)
    const buildZip = jobs.define('buildZip', async () => {})
    let user = 0
    const url = await servers[framework](() => after(buildZip({ user: ++user }, { id: `export:${user}` })))
    const inspect = new Queue(jobs.name, { connection: new Redis(redis.url, { maxRetriesPerRequest: null }) })
    opened.push(() => inspect.close())
    for (const expected of [1, 2, 3]) {
      const response = await fetch(url, { method: 'POST' })
      expect(await response.json()).toEqual({ ok: true })
      // No worker runs: the job can only be there because the request put it there.
      const job = await inspect.getJob(`export%3A${expected}`)
      expect(JSON.parse(job!.data.payload)).toEqual({ user: expected })
    }
  })

  it("engine down with whenDown: 'refuse': 503 with Retry-After instead of the route's answer", async () => {
    const jobs = jobsFor(gone.url, { whenDown: 'refuse' })
    let ran = false
    const buildZip = jobs.define('buildZip', () => void (ran = true))
    const url = await servers[framework](() => after(buildZip({})))
    const response = await fetch(url, { method: 'POST' })
    expect(response.status).toBe(503)
    expect(response.headers.get('retry-after')).toBe('1')
    expect(await response.text()).toBe('A durable task could not be queued; try again\n')
    expect(ran).toBe(false)
  })
})
