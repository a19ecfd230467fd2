// Starts one runtime as a real process serving the conformance app, and reads its
// JSON-line ledger from stdout.
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'

export type Event = { type: string; id?: string; at: number; [key: string]: unknown }

export interface Runtime {
  name: string
  /** Why this runtime cannot run here, if it cannot. */
  unavailable?: string
  command(env: Record<string, string>): { command: string; args: string[] }
  /** What this runtime cannot offer, behaviour → reason. */
  cannot?: Record<string, string>
}

export class Served {
  readonly events: Event[] = []
  private waiters: Array<() => void> = []
  stderr = ''
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>

  constructor(
    readonly child: ChildProcess,
    public url = '',
  ) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        this.events.push(JSON.parse(line))
      } catch {
        return
      }
      for (const wake of this.waiters.splice(0)) wake()
    })
    child.stderr!.on('data', (chunk) => (this.stderr += chunk))
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
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
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL')
    return this.exited
  }
}

export async function launch(runtime: Runtime, env: Record<string, string> = {}): Promise<Served> {
  const { command, args } = runtime.command(env)
  const child = spawn(command, args, {
    env: { ...process.env, ...env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const served = new Served(child)
  const listening = await Promise.race([
    served.waitFor((e) => e.type === 'listening', 30_000, `${runtime.name} to listen`),
    served.exited.then(({ code }) => {
      throw new Error(`${runtime.name} exited with ${code} before listening:\n${served.stderr}`)
    }),
  ])
  served.url = String(listening.url)
  return served
}

let counter = 0
export const uid = (prefix: string) => `${prefix}-${process.pid}-${++counter}`
