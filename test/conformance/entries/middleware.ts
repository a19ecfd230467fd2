// The conformance app, unchanged, behind `app.use(finishRequest())` on whatever server
// the entry runs it with (@hono/node-server, Bun.serve, Deno.serve, workerd).
import { Hono } from 'hono'
import { finishRequest } from 'finish-request/hono'
import { app, mountInspector, probe, recordReport } from '../app.ts'

type Env = Record<string, string | undefined>

export function adopted(env: Env = {}): Hono {
  const number = (name: string) => (env[name] === undefined ? undefined : Number(env[name]))
  const middleware = finishRequest({
    gracePeriod: number('GRACE_PERIOD'),
    abandonedExitCode: number('ABANDONED_EXIT_CODE'),
    maxPendingTasks: number('MAX_PENDING_TASKS'),
    taskTimeout: number('TASK_TIMEOUT'),
    onTaskEnd: recordReport,
  })
  probe.pending = () => middleware.pending
  mountInspector(middleware)
  // The user's app keeps its routes; the middleware is the one line in front of them.
  return new Hono().use(middleware).route('/', app)
}
