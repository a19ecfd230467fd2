// P5: a fresh server gets `count` requests whose tasks each take 500 ms; once every
// response is in, it gets SIGTERM. Measured: time from the signal to the process's exit,
// and how many tasks printed "done" (the server writes that line synchronously, so a
// task that finished is never lost with the process).
import { Connection } from '../lib/http-client.ts'
import { startServer } from '../lib/processes.ts'
import type { Target } from '../targets.ts'

export interface ShutdownRun {
  completed: number
  /** From SIGTERM to the process's exit; null if it had to be killed. */
  exitMs: number | null
  exit: string
  failures: number
}

const CONNECTIONS = 50
/** A server that has not exited by then is killed and reported as not exiting. */
const EXIT_LIMIT_MS = 10_000

export async function measureShutdown(target: Target, count: number): Promise<ShutdownRun> {
  const child = await startServer(target.id, target.command())
  const connections = await Promise.all(Array.from({ length: CONNECTIONS }, () => Connection.open(child.url)))
  let failures = 0
  let next = 0
  try {
    // Keep-alive connections, left open and idle across the signal, like a proxy's.
    await Promise.all(
      connections.map(async (connection) => {
        while (next < count) {
          next++
          const { status } = await connection.get('/p5', 5000)
          if (status !== 200) failures++
        }
      }),
    )
    const signalled = performance.now()
    child.process.kill('SIGTERM')
    const killer = setTimeout(() => child.process.kill('SIGKILL'), EXIT_LIMIT_MS)
    const { code, signal, at } = await child.exited
    clearTimeout(killer)
    await child.closed
    const killed = signal === 'SIGKILL'
    return {
      completed: child.lines.filter((line) => line === 'done').length,
      exitMs: killed ? null : at - signalled,
      exit: killed ? `killed after ${EXIT_LIMIT_MS / 1000} s` : signal ? `by ${signal}` : `code ${code}`,
      failures,
    }
  } finally {
    for (const connection of connections) connection.close()
    await child.stop(0)
  }
}
