// Starts one runtime as a real process serving the conformance app, and reads its
// JSON-line ledger from stdout.
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'

export type Event = { type: string; id?: string; at: number; [key: string]: unknown }

export interface Runtime {
  name: string
  /** Why this runtime cannot run here, if it cannot. */
  unavailable?: string
  /** Starts the conformance app; resolves once it listens. */
  start(env: Record<string, string>): Promise<Served>
  /** What this runtime cannot offer, behaviour → reason. */
  cannot?: Record<string, string>
  /** workerd: the entry to load without the nodejs_als flag, where only the ctx forms can work. */
  withoutAsyncContext?: string
  /** Each task is also handed to the platform's own waitUntil, which the entry records as `platform-wait-until`. */
  handsTasksToPlatform?: boolean
  /** Only the behaviours whose titles match run here (an entry that checks one thing, e.g. delivery). */
  only?: RegExp
  /** On shutdown the runtime itself closes a kept-alive connection once its in-flight response is sent. */
  closesBusyConnectionsOnShutdown?: boolean
  /** How to run any script on it (processes only: Node, Bun, Deno): executable and arguments. */
  command?(file: string): [string, string[]]
}

/** A running app: where it listens, its output, and how to end it. */
export interface Process {
  stdout: Readable
  stderr: Readable
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Delivers a signal (a real one for processes). */
  kill(signal: NodeJS.Signals): void
}

export class Served {
  readonly events: Event[] = []
  private waiters: Array<() => void> = []
  stderr = ''
  readonly exited: Process['exited']

  constructor(
    private readonly process: Process,
    public url = '',
  ) {
    createInterface({ input: process.stdout }).on('line', (line) => {
      try {
        this.events.push(JSON.parse(line))
      } catch {
        return
      }
      this.wakeAll()
    })
    process.stderr.on('data', (chunk) => (this.stderr += chunk))
    this.exited = process.exited
    this.exited.then(() => this.wakeAll())
  }

  private wakeAll(): void {
    for (const wake of this.waiters.splice(0)) wake()
  }

  kill(signal: NodeJS.Signals): void {
    this.process.kill(signal)
  }

  /** Resolves with the first ledger event matching `match`, or fails after `ms`. */
  async waitFor(match: (event: Event) => boolean, ms = 10_000, what = 'an event'): Promise<Event> {
    const deadline = Date.now() + ms
    for (;;) {
      const found = this.events.find(match)
      if (found) return found
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timed out waiting for ${what}; stderr:\n${this.stderr}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  report(id: string, name?: string): Promise<Event> {
    const match = (e: Event) => e.type === 'report' && e.id === id && (name === undefined || e.name === name)
    return this.waitFor(match, 10_000, `the report of ${name ?? 'the task'} of ${id}`)
  }

  stop(): Promise<unknown> {
    this.process.kill('SIGKILL')
    return this.exited
  }
}

export function launch(runtime: Runtime, env: Record<string, string> = {}): Promise<Served> {
  return runtime.start(env)
}

/** Spawns `command`, which prints a `listening` event with its URL when ready. */
export async function spawnServer(name: string, command: string, args: string[], env: Record<string, string>) {
  const child: ChildProcess = spawn(command, args, {
    env: { ...process.env, ...env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited: Process['exited'] = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  const served = new Served({
    stdout: child.stdout!,
    stderr: child.stderr!,
    exited,
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    },
  })
  const listening = await Promise.race([
    served.waitFor((e) => e.type === 'listening', 30_000, `${name} to listen`),
    exited.then(({ code }) => {
      throw new Error(`${name} exited with ${code} before listening:\n${served.stderr}`)
    }),
  ])
  served.url = String(listening.url)
  return served
}

let counter = 0
export const uid = (prefix: string) => `${prefix}-${process.pid}-${++counter}`
