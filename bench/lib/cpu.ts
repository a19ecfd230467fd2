// CPU pinning: every server on CPU 0, the bench (its latency client, and wrk or
// autocannon, its children) on CPU 1. On 2 cores this keeps a server's background task
// and the client from taking turns on one core, and gives every server the same single
// core to work with. Without taskset or with one CPU, nothing is pinned and RESULTS.md
// says so.
import { execFileSync } from 'node:child_process'
import { availableParallelism } from 'node:os'
import type { Command } from './processes.ts'

const SERVER_CPU = '0'
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
