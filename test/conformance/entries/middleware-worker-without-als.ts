// The middleware on workerd without the nodejs_als / nodejs_compat flag: node:async_hooks
// does not exist there. It must still load, c.executionCtx and the ctx forms must work, and
// the ctx-free form must say which flag it needs. (The shared app imports node:async_hooks, so not here.)
import { Hono } from 'hono'
import { after, type TaskReport } from 'finish-request'
import { finishRequest } from 'finish-request/hono'

const idOf = (url: string) => new URL(url || 'http://x/').searchParams.get('id') ?? undefined
const record = (type: string, fields: Record<string, unknown>) =>
  console.log(JSON.stringify({ type, at: performance.timeOrigin + performance.now(), ...fields }))

export default new Hono()
  .use(finishRequest({ onTaskEnd: (report: TaskReport) => record('report', { id: idOf(report.request.url), name: report.name, status: report.status }) }))
  .get('/', (c) => {
    after(c.executionCtx, function withCtx() {
      record('done', { id: c.req.query('id') })
    })
    try {
      after(() => {})
      return c.json({ thrown: false })
    } catch (error) {
      return c.json({ thrown: true, name: (error as Error).name, message: (error as Error).message })
    }
  })
