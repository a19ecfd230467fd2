// Deno: one framework app (FRAMEWORK) behind serve() or Deno.serve (STYLE).
import { handle, serve } from 'finish-request/deno'
import { loadApp } from '../apps/index.ts'
import { announce, closeOnSigterm, markSignal, options } from './shared.ts'

declare const Deno: {
  serve(
    options: { port: number; hostname: string; onListen(address: { port: number }): void },
    handler: (request: Request, info: never) => Response | Promise<Response>,
  ): { shutdown(): Promise<void> }
}

const { app } = await loadApp(process.env.FRAMEWORK)
const hostname = '127.0.0.1'

switch (process.env.STYLE) {
  case 'serve': {
    const server = serve(app, { ...options(process.env), port: 0, hostname })
    markSignal()
    await server.ready()
    announce(server.url!)
    break
  }
  case 'Deno.serve': {
    const handler = handle(app, options(process.env))
    const server = Deno.serve({ port: 0, hostname, onListen: ({ port }) => announce(`http://${hostname}:${port}/`) }, handler.fetch)
    closeOnSigterm(handler, () => server.shutdown())
    break
  }
  default:
    throw new TypeError(`unknown STYLE ${process.env.STYLE}`)
}
