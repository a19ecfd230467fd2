// The tarball `npm pack` makes, installed into a fresh project as a user would, imported
// from Node, Bun and Deno, and type-checked against hono.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = (name: string) => join(root, 'node_modules/.bin', name)
const entries = ['', '/node', '/bun', '/deno', '/serve', '/cloudflare', '/bullmq', '/testing', '/inspector', '/otel']

let project: string
let files: string[]

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'finish-request-consumer-'))
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', project], { cwd: root, encoding: 'utf8' }),
  )
  expect(packed.filename).toBe(`finish-request-${packed.version}.tgz`)
  files = packed.files.map((f: { path: string }) => f.path)
  const installed = join(project, 'node_modules/finish-request')
  mkdirSync(installed, { recursive: true })
  execFileSync('tar', ['-xzf', join(project, packed.filename), '-C', installed, '--strip-components=1'])
  // The user's own dependencies; the registry is not needed for what is already here.
  mkdirSync(join(project, 'node_modules/@hono'), { recursive: true })
  symlinkSync(join(root, 'node_modules/hono'), join(project, 'node_modules/hono'))
  symlinkSync(join(root, 'node_modules/@hono/node-server'), join(project, 'node_modules/@hono/node-server'))
  symlinkSync(join(root, 'node_modules/@types'), join(project, 'node_modules/@types'))
  // finish-request/bullmq's optional peers.
  symlinkSync(join(root, 'node_modules/bullmq'), join(project, 'node_modules/bullmq'))
  symlinkSync(join(root, 'node_modules/ioredis'), join(project, 'node_modules/ioredis'))
  // finish-request/otel's optional peer.
  mkdirSync(join(project, 'node_modules/@opentelemetry'), { recursive: true })
  symlinkSync(join(root, 'node_modules/@opentelemetry/api'), join(project, 'node_modules/@opentelemetry/api'))
  writeFileSync(join(project, 'package.json'), JSON.stringify({ type: 'module', dependencies: { 'finish-request': '*' } }))
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
  ['createExecutionContext', 'waitOnExecutionContext'],
  ['inspector'],
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

  it('type-checks a Hono app that uses it, keeping c.json()’s typed response', () => {
    writeFileSync(
      join(project, 'app.ts'),
      `import { Hono } from 'hono'
import { hc, type InferResponseType } from 'hono/client'
import { respond, after, type TaskReport } from 'finish-request'
import { serve } from 'finish-request/node'
import { worker } from 'finish-request/cloudflare'
import { createExecutionContext, waitOnExecutionContext } from 'finish-request/testing'

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
`,
    )
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          lib: ['ES2022', 'DOM'],
          types: ['node'],
          skipLibCheck: false,
        },
        files: ['app.ts'],
      }),
    )
    try {
      execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', project], { encoding: 'utf8' })
    } catch (error) {
      // tsc prints its findings on stdout: put them in the failure, not just "Command failed".
      throw new Error(`tsc found errors in the consumer app:\n${(error as { stdout?: string }).stdout}`)
    }
  }, 60_000)

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
