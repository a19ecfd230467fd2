// otel() through the finishRequest() middleware, in an unchanged Hono app served by
// @hono/node-server's own serve(), as an app that adopts finish-request in one line.
import { serve as honoServe, type ServerType } from '@hono/node-server'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { finishRequest } from 'finish-request/hono'
import { otel } from 'finish-request/otel'
import { otelApp } from './app.ts'
import { expectFailedTask, expectSeedTrace, taskSpans, until } from './checks.ts'
import { startSdk, type Sdk } from './sdk.ts'

let sdk: Sdk
let server: ServerType
let url: string
let middleware: ReturnType<typeof finishRequest>

beforeAll(async () => {
  sdk = startSdk(new AsyncLocalStorageContextManager())
  middleware = finishRequest({ telemetry: otel(), signals: false, onError: () => {} })
  await new Promise<void>((resolve) => {
    server = honoServe({ fetch: otelApp(middleware).fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      url = `http://127.0.0.1:${info.port}/`
      resolve()
    })
  })
})
afterAll(async () => {
  await middleware?.close()
  await new Promise((resolve) => server.close(resolve))
})

it('puts each task under its own request span (20 concurrent requests), failures as ERROR', async () => {
  const ids = Array.from({ length: 20 }, (_, i) => `m${i}`)
  const get = (path: string) => fetch(new URL(path, url)).then((r) => r.text())
  await Promise.all([...ids.map((id) => get(`/seed?id=${id}`)), get('/fail?id=mf')])
  const spans = await until(sdk.spans, (s) => s.filter((x) => x.name === 'zip part').length === 60 && taskSpans(s, 'mf').length === 1)
  // @hono/node-server's outgoing response says when the bytes were written.
  for (const id of ids) expectSeedTrace(spans, id, 'confirmed')
  expectFailedTask(spans, '/fail', 'mf', 'failing', 'error', /^boom mf$/)
  expect(middleware.pending).toBe(0)
})
