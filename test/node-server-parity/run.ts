// Item 5's yardstick: @hono/node-server's own server tests, run against servers whose
// request listener is finish-request's `handle(app, options).listener`.
//
//   node --import tsx test/node-server-parity/run.ts /path/to/honojs/node-server
//
// The checkout is not touched: its `src` and `test` are copied to a temporary directory
// that borrows this repository's node_modules (hono, vitest, ws, @whatwg-node/fetch). The
// tests run twice: with their own listener (the baseline) and with ours; a failure is ours
// only if it passes in the baseline. Not part of CI: it needs the checkout.
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const FILES = ['test/server.test.ts', 'test/conninfo.test.ts', 'test/server-socket.test.ts', 'test/request-client-disconnect.test.ts']

const root = fileURLToPath(new URL('../../', import.meta.url))
const checkout = process.argv[2]
if (!checkout || !existsSync(join(checkout, 'package.json'))) {
  console.error('usage: node --import tsx test/node-server-parity/run.ts <checkout of honojs/node-server>')
  process.exit(2)
}
const theirs = JSON.parse(readFileSync(join(checkout, 'package.json'), 'utf8')) as { name: string; version: string }
const ours = JSON.parse(readFileSync(join(root, 'node_modules/@hono/node-server/package.json'), 'utf8')) as { version: string }
if (theirs.name !== '@hono/node-server') throw new Error(`${checkout} is ${theirs.name}, not @hono/node-server`)

const copy = mkdtempSync(join(tmpdir(), 'node-server-parity-'))
for (const dir of ['src', 'test', 'tsconfig.json']) cpSync(join(checkout, dir), join(copy, dir), { recursive: true })
symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir')

interface Result {
  name: string
  status: string
  message: string
}

function run(shim: boolean): Result[] {
  const output = join(copy, `results-${shim ? 'shim' : 'baseline'}.json`)
  const args = ['run', '--config', join(root, 'test/node-server-parity/vitest.config.ts'), '--reporter=json', `--outputFile=${output}`, ...FILES]
  // Their https/http2 tests read test/fixtures relative to the working directory.
  spawnSync(join(root, 'node_modules/.bin/vitest'), args, {
    cwd: copy,
    env: { ...process.env, PARITY_COPY: copy, PARITY_SHIM: shim ? '1' : '0' },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  if (!existsSync(output)) throw new Error(`vitest wrote no results (${shim ? 'with the shim' : 'baseline'})`)
  const report = JSON.parse(readFileSync(output, 'utf8')) as {
    testResults: Array<{ name: string; message?: string; assertionResults: Array<{ fullName: string; status: string; failureMessages: string[] }> }>
  }
  return report.testResults.flatMap((file) => {
    const prefix = file.name.slice(copy.length + 1)
    // A file that fails to load has no assertions: count it as one failure.
    if (file.assertionResults.length === 0) return [{ name: `${prefix} (did not load)`, status: 'failed', message: file.message ?? '' }]
    return file.assertionResults.map((a) => ({
      name: `${prefix} > ${a.fullName}`,
      status: a.status,
      message: (a.failureMessages[0] ?? '').split('\n')[0],
    }))
  })
}

try {
  console.log(`@hono/node-server tests from ${resolve(checkout)} (version ${theirs.version}; finish-request depends on ${ours.version})`)
  const baseline = new Map(run(false).map((r) => [r.name, r]))
  const shimmed = run(true)
  const built = existsSync(join(copy, 'shim-servers')) ? readFileSync(join(copy, 'shim-servers'), 'utf8').split('\n').length - 1 : 0
  if (built === 0) throw new Error('the shim built no server: their tests did not go through finish-request')
  console.log(`\n${built} servers built by their tests went through finish-request's handle().listener`)
  const counted = shimmed.filter((r) => r.status === 'passed' || r.status === 'failed')
  const passed = counted.filter((r) => r.status === 'passed')
  const skipped = shimmed.length - counted.length
  const baselinePassed = [...baseline.values()].filter((r) => r.status === 'passed').length
  console.log(`\nwith finish-request's handle().listener: ${passed.length} of ${counted.length} passed${skipped ? ` (${skipped} skipped by their suite)` : ''}`)
  console.log(`with their own listener (baseline):     ${baselinePassed} of ${baseline.size - skipped} passed`)
  const failed = counted.filter((r) => r.status === 'failed')
  for (const r of failed) {
    const also = baseline.get(r.name)?.status === 'failed' ? ' [fails in the baseline too]' : ''
    console.log(`\nFAILED${also}: ${r.name}\n  ${r.message}`)
  }
  for (const r of baseline.values()) {
    if (r.status === 'failed' && !failed.some((f) => f.name === r.name)) console.log(`\n(baseline only) FAILED: ${r.name}\n  ${r.message}`)
  }
  process.exitCode = failed.some((r) => baseline.get(r.name)?.status === 'passed') ? 1 : 0
} finally {
  rmSync(copy, { recursive: true, force: true })
}
