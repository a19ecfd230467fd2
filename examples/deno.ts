// deno run --allow-net --allow-read --allow-write --allow-env --allow-sys examples/deno.ts
// then open http://localhost:3000/ (or curl -X POST http://localhost:3000/export)
import { serve } from 'finish-request/deno'
import { inspector } from 'finish-request/inspector'
import { app } from './export-app.ts'

const server = serve(app, { port: Number(process.env.PORT ?? 3000) })
// The inspector shows request URLs and errors: in production, put it behind your auth.
// A plain route rather than app.mount(): mount copies the request, and Deno then prints a
// notice about request.signal's legacy abort when an event stream ends.
const inspect = inspector(server)
app.get('/_tasks/*', (c) => inspect(c.req.raw))
await server.ready()
console.log(`demo page on ${server.url} (tasks inspector at ${server.url}_tasks/); Ctrl-C drains pending exports, then exits`)
