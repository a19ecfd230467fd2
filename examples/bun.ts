// bun examples/bun.ts, then open http://localhost:3000/ (or curl -X POST http://localhost:3000/export)
import { serve } from 'finish-request/bun'
import { inspector } from 'finish-request/inspector'
import { app } from './export-app.ts'

const server = serve(app, { port: Number(process.env.PORT ?? 3000) })
// The inspector shows request URLs and errors: in production, put it behind your auth.
app.mount('/_tasks', inspector(server))
await server.ready()
console.log(`demo page on ${server.url} (tasks inspector at ${server.url}_tasks/); Ctrl-C drains pending exports, then exits`)
