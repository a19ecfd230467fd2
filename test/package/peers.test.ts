// What a user types to get durable jobs, `npm install finish-request hono bullmq ioredis`,
// run for real against the packed tarball with each ioredis major we accept: npm must
// resolve the optional peers without ERESOLVE, the consumer must type-check against the
// ioredis types it got, and a job must go through a real Redis and a real worker.
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRedis, type TestRedis } from '../helpers/redis.ts'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../../', import.meta.url))

let dir: string
let tarball: string
let redis: TestRedis

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'finish-request-peers-'))
  // dist/ is what the suite built; packing again without scripts keeps this test quick.
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: root })
  tarball = join(dir, JSON.parse(stdout)[0].filename)
  redis = await startRedis()
}, 60_000)

afterAll(async () => {
  await redis?.stop()
  rmSync(dir, { recursive: true, force: true })
})

/** Enqueues one job, works it in the same process, prints its report: the README's flow. */
const roundTrip = `import { Redis } from 'ioredis'
import { queue } from 'finish-request/bullmq'

// The caller's own client, as the README allows: queue() copies its settings.
const client = new Redis(process.env.REDIS_URL!, { lazyConnect: true })
const jobs = queue({ connection: client, name: process.env.QUEUE! })
const greet = jobs.define('greet', async (payload: { name: string }) => payload.name.toUpperCase())
const done = new Promise<string>((resolve) => {
  jobs.work({ signals: false, onTaskEnd: (report) => resolve(JSON.stringify({ status: report.status, id: report.job?.id })) })
})
await greet.enqueue({ name: 'ada' }, { id: 'greet:ada' })
console.log(await done)
await jobs.close()
client.disconnect()
`

describe.each(['5', '6'])('npm install finish-request hono bullmq ioredis@%s', (major) => {
  let project: string

  beforeAll(async () => {
    project = join(dir, `ioredis-${major}`)
    mkdirSync(project)
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
    try {
      // The cache of this repo's own install serves most of it; the registry the rest.
      await run('npm', ['install', tarball, 'hono', 'bullmq', `ioredis@^${major}`, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], {
        cwd: project,
      })
    } catch (error) {
      throw new Error(`npm install failed:\n${(error as { stderr?: string }).stderr}`)
    }
  }, 180_000)

  it('resolves the peers without ERESOLVE, with the ioredis asked for', () => {
    const installed = (name: string) => JSON.parse(readFileSync(join(project, 'node_modules', name, 'package.json'), 'utf8')).version as string
    expect(installed('ioredis').split('.')[0]).toBe(major)
    expect(installed('finish-request')).toBe(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version)
    // One ioredis for BullMQ and us: a second copy would be a second set of types and sockets.
    expect(() => readFileSync(join(project, 'node_modules/bullmq/node_modules/ioredis/package.json'))).toThrow()
  })

  it('type-checks a consumer against the ioredis types it got, and runs a job through Redis', async () => {
    writeFileSync(join(project, 'round-trip.ts'), roundTrip)
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', types: ['node'], skipLibCheck: true },
        files: ['round-trip.ts'],
      }),
    )
    mkdirSync(join(project, 'node_modules/@types'), { recursive: true })
    symlinkSync(join(root, 'node_modules/@types/node'), join(project, 'node_modules/@types/node'))
    try {
      await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', project])
    } catch (error) {
      throw new Error(`tsc found errors in the consumer:\n${(error as { stdout?: string }).stdout}`)
    }
    const { stdout } = await run(process.execPath, ['--import', join(root, 'node_modules/tsx/dist/loader.mjs'), 'round-trip.ts'], {
      cwd: project,
      // A queue per project: the same job id in one queue would be deduplicated.
      env: { ...process.env, REDIS_URL: redis.url, QUEUE: `peers-${major}` },
      timeout: 30_000,
    })
    expect(JSON.parse(stdout)).toEqual({ status: 'ok', id: 'greet:ada' })
  }, 60_000)
})
