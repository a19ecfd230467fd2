// A real Redis for tests: Debian's redis-server on a free port, in a temp dir, no
// persistence; stopped (and its dir removed) by stop(). `restart()` brings it back on
// the same port, for tests of an engine that went away; `pause()` makes it hang (it
// accepts connections but answers nothing) until `resume()`.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { freePort } from './free-port.ts'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface TestRedis {
  url: string
  port: number
  /** Kills the server (SIGKILL: a crash, not a shutdown). */
  kill(): Promise<void>
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>
  /** SIGSTOP: the kernel still accepts connections, the server answers nothing. */
  pause(): void
  /** SIGCONT: it answers what was sent meanwhile. */
  resume(): void
  stop(): Promise<void>
}

function launch(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => reject(new Error(`redis-server did not start within 10 s:\n${output}`)), 10_000)
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(new Error(`redis-server could not start (apt-get install -y redis-server): ${error.message}`))
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`redis-server exited with ${code}:\n${output}`))
    })
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer)
        child.removeAllListeners('exit')
        resolve(child)
      }
    })
  })
}

function killed(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGKILL')
  })
}

export async function startRedis(): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'finish-request-redis-'))
  const port = await freePort()
  let child: ChildProcess | undefined = await launch(port, dir)
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async kill() {
      if (child) await killed(child)
      child = undefined
    },
    async restart() {
      if (child) await killed(child)
      child = await launch(port, dir)
    },
    pause() {
      child?.kill('SIGSTOP')
    },
    resume() {
      child?.kill('SIGCONT')
    },
    async stop() {
      if (child) await killed(child)
      child = undefined
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
