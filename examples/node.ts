// `npm start`: serves the demo page (the export app, with the tasks inspector beside it)
// on Node until Ctrl-C. `npm start -- --once` instead fires three exports at itself,
// prints when each answer went out and when its work finished afterwards, then closes
// gracefully (what CI runs).
import { serve } from 'finish-request/node'
import { inspector } from 'finish-request/inspector'
import { app } from './export-app.ts'

const once = process.argv.includes('--once')
const server = serve(app, {
  port: Number(process.env.PORT ?? 3000),
  onError: (error, report) => console.error(`  task ${report.name} ${report.status}: ${error.message}`),
})
// The inspector shows request URLs and errors: in production, put it behind your auth.
app.mount('/_tasks', inspector(server))
await server.ready()

if (once) {
  console.log(`finish-request demo listening on ${server.url}\n`)
  for (let i = 0; i < 3; i++) {
    const startedAt = performance.now()
    const response = await fetch(new URL('export', server.url), { method: 'POST' })
    const body = await response.text()
    console.log(`  POST /export answered in ${(performance.now() - startedAt).toFixed(1)} ms: ${body}`)
  }
  const { completed, abandoned } = await server.close()
  console.log(`\nclosed: ${completed} tasks drained, ${abandoned} abandoned`)
} else {
  console.log(`finish-request demo: open ${server.url} in a browser`)
  console.log(`  the tasks inspector alone: ${server.url}_tasks/`)
  console.log(`  or from a terminal:        curl -X POST ${server.url}export`)
  console.log('Ctrl-C closes gracefully: pending exports finish before the process exits.')
}
