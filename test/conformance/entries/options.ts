import type { ServeOptions } from 'finish-request/node'

/** The harness tunes each runtime's server through the same environment variables. */
export function serveOptionsFromEnv(env: Record<string, string | undefined>): ServeOptions {
  const number = (name: string) => (env[name] === undefined ? undefined : Number(env[name]))
  return {
    port: 0,
    hostname: '127.0.0.1',
    gracePeriod: number('GRACE_PERIOD'),
    maxPendingTasks: number('MAX_PENDING_TASKS'),
    taskTimeout: number('TASK_TIMEOUT'),
    abandonedExitCode: number('ABANDONED_EXIT_CODE'),
  }
}
