// `npm start`: serves the export app on Node, fires three requests at itself so you can
// watch the answers go out at once and the work finish afterwards, then closes
// gracefully. `npm run start:serve` keeps it listening instead.
import { serve } from 'finish-request/node'
import { app } from './export-app.ts'

const server = serve(app, {
  port: Number(process.env.PORT ?? 3000),
  onError: (error, report) => console.error(`  task ${report.name} ${report.status}: ${error.message}`),
})
await server.ready()
console.log(`finish-request demo listening on ${server.url}\n`)

for (let i = 0; i < 3; i++) {
  const startedAt = performance.now()
  const response = await fetch(new URL('export', server.url), { method: 'POST' })
  const body = await response.text()
  console.log(`  POST /export answered in ${(performance.now() - startedAt).toFixed(1)} ms: ${body}`)
}

if (process.argv.includes('--once')) {
  const { completed, abandoned } = await server.close()
  console.log(`\nclosed: ${completed} tasks drained, ${abandoned} abandoned`)
} else {
  setTimeout(() => {
    console.log(`\nTry it yourself:  curl -X POST ${server.url}export`)
    console.log('Ctrl-C closes gracefully: pending exports finish before the process exits.')
  }, 1500)
}
