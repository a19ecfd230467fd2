import type { ServeOptions } from 'finish-request/node'

type Env = Record<string, string | undefined>

/** The harness tunes each runtime's server, or middleware, through the same environment variables. */
export function tuningFromEnv(env: Env) {
  const number = (name: string) => (env[name] === undefined ? undefined : Number(env[name]))
  return {
    gracePeriod: number('GRACE_PERIOD'),
    maxPendingTasks: number('MAX_PENDING_TASKS'),
    taskTimeout: number('TASK_TIMEOUT'),
    abandonedExitCode: number('ABANDONED_EXIT_CODE'),
  } satisfies ServeOptions
}

export function serveOptionsFromEnv(env: Env): ServeOptions {
  return { port: 0, hostname: '127.0.0.1', ...tuningFromEnv(env) }
}
