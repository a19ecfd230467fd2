// A worker on workerd without the nodejs_compat / nodejs_als flag: node:async_hooks does
// not exist there. It must still load, the ctx forms must work, and the ctx-free form
// must say which flag it needs. (The shared app imports node:async_hooks, so not here.)
import { after, type ExecutionContext, type TaskReport } from 'finish-request'
import { worker } from 'finish-request/cloudflare'

const idOf = (url: string) => new URL(url || 'http://x/').searchParams.get('id') ?? undefined
const record = (type: string, fields: Record<string, unknown>) =>
  console.log(JSON.stringify({ type, at: performance.timeOrigin + performance.now(), ...fields }))

export default worker(
  (request: Request, _env: unknown, ctx: ExecutionContext) => {
    after(ctx, function withCtx() {
      record('done', { id: idOf(request.url) })
    })
    try {
      after(() => {})
      return Response.json({ thrown: false })
    } catch (error) {
      return Response.json({ thrown: true, name: (error as Error).name, message: (error as Error).message })
    }
  },
  { onTaskEnd: (report: TaskReport) => record('report', { id: idOf(report.request.url), name: report.name, status: report.status }) },
)
