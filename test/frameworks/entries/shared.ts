// What every framework entry shares: the options under test, and the user's own
// shutdown code for servers that finish-request does not own.
import { connect } from 'node:net'
import type { DrainResult, HandleOptions } from 'finish-request/node'
import { record, recordReport, sleep } from '../ledger.ts'

/** handle()'s and serve()'s options: a gracePeriod well past the 800 ms tasks, and an async cleanup that the ledger shows. */
export function options(env: Record<string, string | undefined>): HandleOptions {
  return {
    gracePeriod: Number(env.GRACE_PERIOD ?? 3000),
    onTaskEnd: recordReport,
    // Failures are in the ledger through onTaskEnd; stderr stays for real trouble.
    onError: () => {},
    async onShutdown() {
      record('cleanup-start')
      await sleep(50)
      record('cleanup-done')
    },
  }
}

/** serve() handles SIGTERM itself; registered after it, this only marks the moment in the ledger. */
export function markSignal(): void {
  process.on('SIGTERM', () => record('signal'))
}

/** What a user writes around handle(): on SIGTERM stop the own server, drain, exit. */
export function closeOnSigterm(handler: { close(): Promise<DrainResult> }, stopServer?: () => unknown): void {
  process.on('SIGTERM', async () => {
    record('signal')
    stopServer?.()
    record('closed', { ...(await handler.close()) })
    process.exit(0)
  })
}

export function announce(url: string): void {
  record('listening', { url })
}

/** For `export default handler`: the runtime listens after this module ran, so wait until it accepts. */
export async function announceWhenAccepting(port: number): Promise<void> {
  for (;;) {
    const accepting = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy()
        resolve(true)
      })
      socket.on('error', () => resolve(false))
    })
    if (accepting) return announce(`http://127.0.0.1:${port}/`)
    await sleep(20)
  }
}
