// serve() as a newcomer calls it, for the listening behaviours: MODE picks the case, and
// the script prints what the user would see (JSON on stdout) or dies as the user would.
import { serve } from 'finish-request/serve'

const app = () => new Response('ok')
const port = process.env.BUSY_PORT === undefined ? undefined : Number(process.env.BUSY_PORT)
const print = (value: unknown) => console.log(JSON.stringify(value))

switch (process.env.MODE) {
  // The README's own shape: no ready(). A busy port must not pass in silence.
  case 'unawaited': {
    serve(app, { port, signals: false })
    // Would keep the process alive, exiting 0 later, if nothing else ended it.
    setTimeout(() => print({ stillRunning: true }), 3_000)
    break
  }
  // ready() is the way to handle it yourself.
  case 'awaited': {
    try {
      await serve(app, { port, signals: false }).ready()
      print({ listened: true })
    } catch (error) {
      print({ message: (error as Error).message, code: (error as { code?: unknown }).code })
    }
    break
  }
  // Two serve() in one process on one port: the second must be loud too.
  case 'twice': {
    const first = serve(app, { port: 0, hostname: '127.0.0.1', signals: false })
    await first.ready()
    print({ first: first.url })
    serve(app, { port: Number(new URL(first.url!).port), hostname: '127.0.0.1', signals: false })
    setTimeout(() => print({ stillRunning: true }), 3_000)
    break
  }
  // No port given: PORT decides, as on every PaaS.
  case 'env-port': {
    const server = serve(app, { hostname: '127.0.0.1', signals: false })
    await server.ready()
    const text = await (await fetch(server.url!)).text()
    print({ url: server.url, text })
    await server.close()
    break
  }
}
