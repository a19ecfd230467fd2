// Every ```ts block of README.md that a user would paste type-checks, as it is, with
// `tsc` 5.9 and 7 and the tsconfig.json the README gives, against the packed package;
// and the Quick start runs as written.
import { spawn } from 'node:child_process'
import { readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compilers, makeConsumer, root, typeCheck, type Consumer } from './consumer.ts'
import { codeBlocks, recommendedTsconfig, toReadmeLines } from './readme-blocks.ts'
import { freePort } from '../helpers/free-port.ts'

const readme = readFileSync(join(root, 'README.md'), 'utf8')
const { compiled, skipped } = codeBlocks(readme)
let consumer: Consumer

beforeAll(() => {
  consumer = makeConsumer('finish-request-readme-')
  // The README's own set-up: `npm install -D typescript tsx @types/node`.
  symlinkSync(join(root, 'node_modules/tsx'), join(consumer.dir, 'node_modules/tsx'))
  const files = new Set<string>()
  for (const block of compiled) {
    if (files.has(block.file)) throw new Error(`two README blocks are both ${block.file} (README.md:${block.line})`)
    files.add(block.file)
    // `export {}`: each block is a module of its own, as a file of the user's is.
    writeFileSync(join(consumer.dir, block.file), `${block.code}\nexport {}\n`)
  }
  writeFileSync(join(consumer.dir, 'tsconfig.json'), JSON.stringify({ ...recommendedTsconfig(readme), include: ['*.ts'] }))
}, 60_000)

afterAll(() => rmSync(consumer.dir, { recursive: true, force: true }))

describe('README.md', () => {
  it('has code blocks to check, and marks every one it does not check', () => {
    // The Quick start, the inspector, and the durable jobs.ts and worker.ts at least.
    expect(compiled.length).toBeGreaterThanOrEqual(4)
    expect(compiled.map((b) => b.file)).toEqual(expect.arrayContaining(['server.ts', 'jobs.ts', 'worker.ts']))
    expect(skipped + compiled.length).toBe(readme.match(/^```ts$/gm)!.length)
  })

  it('recommends a strict tsconfig with Node\'s types', () => {
    expect(recommendedTsconfig(readme).compilerOptions).toMatchObject({ strict: true, types: ['node'] })
  })

  it.each(compilers)('type-checks every block a user would paste with $name', ({ tsc }) => {
    expect(toReadmeLines(typeCheck(tsc, consumer.dir), compiled)).toBe('')
  }, 120_000)

  it('runs the Quick start as written: answers at once, then the export, the stats, the audit line', async () => {
    const port = await freePort()
    const server = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
      cwd: consumer.dir,
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    server.stdout!.on('data', (chunk) => (stdout += chunk))
    server.stderr!.on('data', (chunk) => (stderr += chunk))
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)))
    try {
      await until(() => stdout.includes('listening on'), () => `the Quick start to listen; stderr: ${stderr}`)
      expect(stdout).toContain(`listening on http://localhost:${port}/`)
      const exported = await fetch(`http://127.0.0.1:${port}/export`, { method: 'POST' })
      expect(await exported.json()).toEqual({ code: 0, msg: 'ok', data: true })
      const login = await fetch(`http://127.0.0.1:${port}/login`, { method: 'POST', body: JSON.stringify({ user: 'ada' }) })
      expect(await login.json()).toEqual({ ok: true })
      await until(() => stdout.includes('logins so far: 1'), () => 'the metrics flush')
      server.kill('SIGTERM')
      // Nothing was abandoned: the drain waited for the zip, so the exit is a clean 0.
      expect(await exited).toBe(0)
      expect(stderr).toBe('')
      const csv = gunzipSync(readFileSync(join(consumer.dir, 'export.csv.gz'))).toString()
      expect(csv.split('\n').filter(Boolean)).toHaveLength(200_000)
      expect(JSON.parse(readFileSync(join(consumer.dir, 'db.jsonl'), 'utf8'))).toMatchObject({ event: 'export', path: '/export' })
      expect(readFileSync(join(consumer.dir, 'audit.log'), 'utf8')).toMatch(/^\S+ ada logged in\n$/)
    } finally {
      server.kill('SIGKILL')
    }
  }, 60_000)
})

async function until(check: () => boolean, what: () => string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
