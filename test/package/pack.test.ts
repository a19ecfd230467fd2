// The tarball `npm pack` makes, installed into a fresh project as a user would, imported
// from Node, Bun and Deno, and type-checked against hono with TypeScript 5.9 and 7.
import { execFileSync } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compilers, makeConsumer, root, typeCheck } from './consumer.ts'
import { recommendedTsconfig } from './readme-blocks.ts'

const bin = (name: string) => join(root, 'node_modules/.bin', name)
const entries = ['', '/node', '/bun', '/deno', '/serve', '/cloudflare', '/bullmq', '/testing', '/inspector', '/hono', '/express', '/fastify', '/otel']

let project: string
let files: string[]

beforeAll(() => {
  const consumer = makeConsumer()
  project = consumer.dir
  files = consumer.files
  expect(consumer.filename).toBe(`finish-request-${consumer.version}.tgz`)
  writeFileSync(
    join(project, 'check.mjs'),
    entries.map((e, i) => `import * as m${i} from 'finish-request${e}'`).join('\n') +
      `\nconsole.log(JSON.stringify([${entries.map((_, i) => `Object.keys(m${i}).sort()`).join(', ')}]))\n`,
  )
}, 60_000)

afterAll(() => rmSync(project, { recursive: true, force: true }))

const expectedExports = [
  ['after', 'respond'],
  ['handle', 'serve'],
  ['handle', 'serve'],
  ['handle', 'serve'],
  ['handle', 'serve'],
  ['queue', 'worker'],
  ['queue'],
  ['createExecutionContext', 'runInContext', 'waitOnExecutionContext'],
  ['inspector'],
  ['finishRequest'],
  ['finishRequest'],
  ['finishRequest'],
  ['otel'],
]

describe('the packed tarball', () => {
  it('holds the built files, types, README, CHANGELOG and LICENSE, and no sources or tests', () => {
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']))
    for (const e of entries.filter((e) => e !== '/serve')) expect(files).toContain(`dist/${e.slice(1) || 'index'}.js`)
    expect(files.filter((f) => !f.startsWith('dist/') && !['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE'].includes(f))).toEqual([])
  })

  it.each([
    ['node', process.execPath, ['check.mjs']],
    ['bun', bin('bun'), ['check.mjs']],
    ['deno', bin('deno'), ['run', '--allow-all', '--quiet', 'check.mjs']],
  ])('imports every entry point from node_modules on %s', (_, command, args) => {
    const output = execFileSync(command, args, { cwd: project, encoding: 'utf8' })
    expect(JSON.parse(output)).toEqual(expectedExports)
  })

  it.each([
    ['node', process.execPath, ['resolve.mjs']],
    ['bun', bin('bun'), ['resolve.mjs']],
    ['deno', bin('deno'), ['run', '--allow-all', '--quiet', 'resolve.mjs']],
  ])('finish-request/serve picks the %s adapter by export condition', (runtime, command, args) => {
    writeFileSync(join(project, 'resolve.mjs'), `console.log(import.meta.resolve('finish-request/serve'))\n`)
    const resolved = execFileSync(command, args, { cwd: project, encoding: 'utf8' }).trim()
    expect(resolved).toMatch(new RegExp(`/dist/${runtime}\\.js$`))
  })

  it('type-checks a Hono app that uses it, keeping c.json()’s typed response, with TypeScript 5.9 and 7', () => {
    writeFileSync(
      join(project, 'app.ts'),
      `import { Hono } from 'hono'
import { hc, type InferResponseType } from 'hono/client'
import { respond, after, type TaskReport } from 'finish-request'
import { serve } from 'finish-request/node'
import { worker } from 'finish-request/cloudflare'
import { createExecutionContext, runInContext, waitOnExecutionContext } from 'finish-request/testing'
import { finishRequest } from 'finish-request/hono'
import { finishRequest as expressMiddleware } from 'finish-request/express'
import { finishRequest as fastifyPlugin } from 'finish-request/fastify'
import express from 'express'
import Fastify from 'fastify'

/** true only when A and B are the same type (not merely assignable either way). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false

const app = new Hono().post('/export', (c) => {
  after(c.executionCtx, async (signal: AbortSignal) => { signal.throwIfAborted() }, { name: 'log', timeout: 1000 })
  const typed = c.json({ code: 0 as const })
  const returned = respond(c.executionCtx, typed, async () => {})
  // respond() hands back the caller's own typed response, not a plain Response.
  const same: Equal<typeof returned, typeof typed> = true
  // @ts-expect-error a plain Response is not what was given
  const plain: Equal<typeof returned, Response> = true
  void same, plain
  return returned
})
// What a Hono RPC client sees: the route's JSON body, typed.
type Body = InferResponseType<ReturnType<typeof hc<typeof app>>['export']['$post']>
const body: Equal<Body, { code: 0 }> = true
const server = serve(app, { port: 0, onTaskEnd: (r: TaskReport) => void r.status })
export default worker(app)
const ctx = createExecutionContext()
const reports: Promise<TaskReport[]> = waitOnExecutionContext(ctx)
void server, reports, body
// @ts-expect-error a task must be a function
respond(createExecutionContext(), new Response(), 'nope')

// Adopt in one line: the middleware on an existing app, with pending and close().
const middleware = finishRequest({ gracePeriod: 5000, onTaskEnd: (r: TaskReport) => void r.name })
const adopted = new Hono().use(middleware).get('/', (c) => {
  c.executionCtx.waitUntil(Promise.resolve())
  after(Promise.resolve(), { name: 'audit' })
  return respond(c.text('ok'), () => {})
})
const pendingNow: number = middleware.pending
const drained: Promise<{ completed: number; abandoned: number }> = middleware.close()
express().use(expressMiddleware({ signals: false })).get('/', (_req, res) => {
  after(() => {})
  res.send('ok')
})
const fastify = Fastify()
await fastify.register(fastifyPlugin, { maxPendingTasks: 100 })
const fastifyPending: number = fastify.finishRequest.pending
const inContext: string = runInContext(createExecutionContext(), () => 'x')
void adopted, pendingNow, drained, fastifyPending, inContext
`,
    )
    // tsc --strict with the tsconfig.json the README recommends, as a user would have it.
    const tsconfig = recommendedTsconfig(readFileSync(join(root, 'README.md'), 'utf8'))
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ ...tsconfig, files: ['app.ts'] }))
    for (const { name, tsc } of compilers) {
      // tsc prints its findings on stdout: put them in the failure, not just "Command failed".
      expect(typeCheck(tsc, project), `${name} found errors in the consumer app`).toBe('')
    }
  }, 120_000)

  it('checks with the compilers it names: TypeScript 5.9 and 7', () => {
    const versions = compilers.map(({ tsc }) => execFileSync(process.execPath, [tsc, '--version'], { encoding: 'utf8' }).trim())
    expect(versions).toEqual([expect.stringMatching(/^Version 5\.9\./), expect.stringMatching(/^Version 7\./)])
  })

  it('type-checks under Deno, resolving the types through node_modules', () => {
    writeFileSync(
      join(project, 'deno-app.ts'),
      `import { Hono } from 'hono'
import { respond } from 'finish-request'
import { serve } from 'finish-request/deno'

const app = new Hono().get('/', (c) => respond(c.executionCtx, c.text('ok'), (signal) => signal.throwIfAborted()))
const server = serve(app, { port: 0, gracePeriod: 1000 })
await server.ready()
const { completed }: { completed: number } = await server.close()
console.log(completed)
`,
    )
    execFileSync(bin('deno'), ['check', '--quiet', 'deno-app.ts'], { cwd: project, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
  }, 60_000)
})
