import type { ServeOptions } from 'after-response/node'

/** Each scenario tunes the server through the same environment variables on every runtime. */
export function optionsFromEnv(env: Record<string, string | undefined>): ServeOptions {
  const number = (name: string) => (env[name] === undefined ? undefined : Number(env[name]))
  return {
    port: 0,
    hostname: '127.0.0.1',
    gracePeriod: number('GRACE_PERIOD'),
    maxPendingTasks: number('MAX_PENDING_TASKS'),
  }
}
