// A Worker: there is no disk, so the work afterwards is a webhook call and a log line.
// wrangler.jsonc: { "main": "examples/cloudflare.ts", "compatibility_date": "2025-09-01" }
// Workers cancels waitUntil work about 30 s after the response: keep tasks short, or
// hand longer jobs to a Queue (see the README).
import { Hono } from 'hono'
import { respond } from 'finish-request'
import { worker } from 'finish-request/cloudflare'

type Env = { WEBHOOK_URL?: string }

const app = new Hono<{ Bindings: Env }>()

app.post('/export', (c) =>
  respond(c.executionCtx, c.json({ code: 0, msg: 'ok', data: true }), async function notify(signal) {
    if (c.env.WEBHOOK_URL) await fetch(c.env.WEBHOOK_URL, { method: 'POST', body: '{"export":"ready"}', signal })
    console.log('export recorded after the response')
  }, { timeout: 10_000 }),
)

export default worker(app, {
  onError: (error, report) => console.error(`task ${report.name} ${report.status}: ${error.message}`),
})
