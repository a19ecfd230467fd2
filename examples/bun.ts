// bun examples/bun.ts, then: curl -X POST http://localhost:3000/export
import { serve } from 'finish-request/bun'
import { app } from './export-app.ts'

const server = serve(app, { port: Number(process.env.PORT ?? 3000) })
await server.ready()
console.log(`listening on ${server.url}; Ctrl-C drains pending exports, then exits`)
