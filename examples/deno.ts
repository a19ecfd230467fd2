// deno run --allow-net --allow-read --allow-write --allow-env --allow-sys examples/deno.ts
// then: curl -X POST http://localhost:3000/export
import { serve } from 'finish-request/deno'
import { app } from './export-app.ts'

const server = serve(app, { port: Number(process.env.PORT ?? 3000) })
await server.ready()
console.log(`listening on ${server.url}; Ctrl-C drains pending exports, then exits`)
