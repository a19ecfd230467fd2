// Starts servers as child processes, waits for the URL they announce, and makes sure
// none outlives the bench (every child is killed when the bench exits, however it exits).
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'

const children = new Set<ChildProcess>()

/**
 * Each server runs in its own process group, so that its own children (workerd under
 * Miniflare) die with it: killing only the wrapper with SIGKILL orphaned workerd.
 */
function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL')
  } catch {
    // The group is gone already.
  }
}

function killAll(): void {
  for (const child of children) killGroup(child)
}
process.on('exit', killAll)
// Detached groups no longer get the terminal's Ctrl-C: pass it on, then leave.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killAll()
    process.exit(130)
  })
}

export interface Command {
  command: string
  args: string[]
  env?: Record<string, string>
  cwd?: string
}

export class Child {
  /** stdout lines other than the announcement. */
  readonly lines: string[] = []
  stderr = ''
  url = ''
  /** Resolves with the URL the server announced as `{"listening": url}` on stdout. */
  readonly announced: Promise<string>
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>
  /** After exit, once stdout and stderr are fully read. */
  readonly closed: Promise<void>

  constructor(
    readonly name: string,
    readonly process: ChildProcess,
  ) {
    let announce!: (url: string) => void
    this.announced = new Promise((resolve) => (announce = resolve))
    createInterface({ input: process.stdout! }).on('line', (line) => {
      if (!this.url && line.startsWith('{"listening"')) {
        this.url = (JSON.parse(line) as { listening: string }).listening
        announce(this.url)
      } else this.lines.push(line)
    })
    process.stderr!.on('data', (chunk) => {
      // Keep the tail only: enough to explain a failure, bounded in memory.
      this.stderr = (this.stderr + chunk).slice(-4000)
    })
    this.exited = new Promise((resolve) =>
      process.once('exit', (code, signal) => {
        const at = performance.now()
        // Whatever the server left behind in its group goes with it.
        killGroup(process)
        children.delete(process)
        resolve({ code, signal, at })
      }),
    )
    this.closed = new Promise((resolve) => process.once('close', () => resolve()))
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null
  }

  /** Kills the child and waits for it, SIGKILL after `graceMs`. */
  async stop(graceMs = 2000): Promise<void> {
    if (!this.running) return
    this.process.kill('SIGTERM')
    const timer = setTimeout(() => killGroup(this.process), graceMs)
    await this.exited
    clearTimeout(timer)
  }
}

/** Spawns a server and resolves once it printed `{"listening": url}`, or rejects after `timeoutMs`. */
export function startServer(name: string, { command, args, env, cwd }: Command, timeoutMs = 60_000): Promise<Child> {
  const proc = spawn(command, args, {
    cwd,
    detached: true,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(proc)
  const child = new Child(name, proc)
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void child.stop(0)
      reject(new Error(`${name} did not announce a URL within ${timeoutMs} ms\n${child.stderr}`))
    }, timeoutMs)
    void child.announced.then(() => {
      clearTimeout(timer)
      resolve(child)
    })
    void child.exited.then(({ code, signal }) => {
      clearTimeout(timer)
      if (!child.url) reject(new Error(`${name} exited (${code ?? signal}) before listening\n${child.stderr}`))
    })
  })
}
