// How every server, on every runtime, tells the bench where it listens.
import { writeSync } from 'node:fs'

/** Loopback only: the bench never listens on a public interface. */
export const HOST = '127.0.0.1'

/** The bench waits for this one JSON line on stdout. */
export function announce(url: string): void {
  writeSync(1, JSON.stringify({ listening: url }) + '\n')
}
