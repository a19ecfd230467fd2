// Bun: one framework app (FRAMEWORK) behind serve() or Bun.serve (STYLE).
import { handle, serve } from 'finish-request/bun'
import { loadApp } from '../apps/index.ts'
import { announce, closeOnSigterm, markSignal, options } from './shared.ts'

declare const Bun: {
  serve(options: { port: number; hostname: string; fetch(request: Request, server: unknown): Response | Promise<Response> }): {
    port: number
    stop(): Promise<void>
  }
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
  case 'Bun.serve': {
    const handler = handle(app, options(process.env))
    const server = Bun.serve({ port: 0, hostname, fetch: handler.fetch })
    closeOnSigterm(handler, () => server.stop())
    announce(`http://${hostname}:${server.port}/`)
    break
  }
  default:
    throw new TypeError(`unknown STYLE ${process.env.STYLE}`)
}
