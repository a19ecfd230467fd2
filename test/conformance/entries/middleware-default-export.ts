// `export default app` with the finishRequest() middleware: Bun (`bun entry.ts`, on PORT)
// and `deno serve` (--port) start the server themselves once this module has run, so the
// listening line waits until the port accepts.
import { connect } from 'node:net'
import { probe, record } from '../app.ts'
import { adopted } from './middleware.ts'

process.on('unhandledRejection', () => probe.unhandledRejections++)
process.on('SIGTERM', () => record('signal'))
const port = Number(process.env.PORT)

async function announceWhenAccepting(): Promise<void> {
  for (;;) {
    const accepting = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy()
        resolve(true)
      })
      socket.on('error', () => resolve(false))
    })
    if (accepting) return record('listening', { url: `http://127.0.0.1:${port}/`, version: process.versions.node })
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
void announceWhenAccepting()

export default adopted(process.env)
