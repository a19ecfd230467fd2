// CPU pinning: every server on CPU 0, the bench (its latency client, and wrk or
// autocannon, its children) on CPU 1. On 2 cores this keeps a server's background task
// and the client from taking turns on one core, and gives every server the same single
// core to work with. Without taskset or with one CPU, nothing is pinned and RESULTS.md
// says so.
import { execFileSync } from 'node:child_process'
import { availableParallelism } from 'node:os'
import type { Command } from './processes.ts'

export const SERVER_CPU = '0'
const CLIENT_CPU = '1'

function tasksetWorks(): boolean {
  if (availableParallelism() < 2 || process.env.BENCH_NO_PIN) return false
  try {
    execFileSync('taskset', ['-c', SERVER_CPU, 'true'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

export const pinning = tasksetWorks()

/** Moves the bench, all its threads, to the client's CPU; children inherit it. */
export function pinClient(): string {
  if (!pinning) return 'not pinned (taskset missing or a single CPU)'
  execFileSync('taskset', ['-a', '-p', '-c', CLIENT_CPU, String(process.pid)], { stdio: 'ignore' })
  return `servers on CPU ${SERVER_CPU}, client on CPU ${CLIENT_CPU} (taskset)`
}

/** The command, run on the servers' CPU. taskset execs it: same pid, same process group. */
export function onServerCpu(command: Command): Command {
  if (!pinning) return command
  return { ...command, command: 'taskset', args: ['-c', SERVER_CPU, command.command, ...command.args] }
}

/**
 * Every CPU, for what is measured across processes (the capacity table's N workers and
 * their store): without it a child would inherit the bench's own CPU.
 */
export const ALL_CPUS = `0-${availableParallelism() - 1}`

/** The command, free to run on every CPU. */
export function onAllCpus(command: Command): Command {
  if (!pinning) return command
  return { ...command, command: 'taskset', args: ['-c', ALL_CPUS, command.command, ...command.args] }
}

/** Moves a running process (all its threads; what it forks later inherits it) to `cpus`. */
export function moveTo(pid: number | string, cpus: string): void {
  if (pinning) execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' })
}
