// A real PostgreSQL for tests: Debian's server (`apt-get install postgresql`), a fresh
// cluster in a temp dir on a free port, trust auth on 127.0.0.1 only; stopped (and its
// dir removed) by stop(). The server refuses to run as root, so as root it runs as the
// `postgres` user. `kill()` is a crash (immediate shutdown: no checkpoint, recovery on
// the next start) and `restart()` brings the same cluster back on the same port, for
// tests of an engine that went away.
import { execFile } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { freePort } from './free-port.ts'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface TestPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  url: string
  port: number
  /** The cluster's data directory (`postmaster.pid` is in it). */
  dataDir: string
  /** Stops the server without a shutdown checkpoint, as a crash would. */
  kill(): Promise<void>
  /** Starts it again on the same port, with the same data. */
  restart(): Promise<void>
  stop(): Promise<void>
}

export interface PostgresSettings {
  /**
   * Server settings (`-c name=value`). Tests pass `fsync: 'off'`: nothing here has to
   * survive a power cut, and it keeps a loaded machine's disk out of the timings.
   */
  [name: string]: string
}

function binDir(): string {
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl'))) : []
  if (versions.length === 0) throw new Error('PostgreSQL is not installed (apt-get install -y postgresql)')
  return join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin')
}

/** Runs a server program as `postgres` when we are root (it refuses root), else as us. */
function asPostgres(program: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const bin = join(binDir(), program)
  return process.getuid?.() === 0 ? run('runuser', ['-u', 'postgres', '--', bin, ...args]) : run(bin, args)
}

export async function startPostgres(settings: PostgresSettings = { fsync: 'off' }): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'finish-request-postgres-'))
  if (process.getuid?.() === 0) chownSync(dir, ...(await postgresIds()))
  const data = join(dir, 'data')
  const port = await freePort()
  await asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'])
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    ...Object.entries(settings).map(([name, value]) => `-c ${name}=${value}`),
  ].join(' ')
  const start = () => asPostgres('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '30', '-o', options, 'start']).then(() => {})
  const stopWith = (mode: 'fast' | 'immediate') => asPostgres('pg_ctl', ['-D', data, '-w', '-m', mode, 'stop']).then(
    () => {},
    () => {}, // already stopped
  )
  await start().catch((error: Error) => {
    rmSync(dir, { recursive: true, force: true })
    throw new Error(`postgres did not start: ${error.message}`)
  })
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir: data,
    kill: () => stopWith('immediate'),
    async restart() {
      await stopWith('immediate')
      await start()
    },
    async stop() {
      await stopWith('fast')
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

async function postgresIds(): Promise<[number, number]> {
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])])
  return [Number(uid), Number(gid)]
}
