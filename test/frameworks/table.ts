// Runs every behaviour against every cell of one runtime: one server process per cell,
// behaviours in order against it (the last one sends SIGTERM). A few cells run side by
// side, since most of a cell's time is waiting; not all of them, or a dozen servers
// starting and spinning at once starve the client whose timing the first behaviour reads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Served } from '../conformance/harness.ts'
import { behaviours } from './behaviours.ts'
import { cellsOf, unavailable, type Cell } from './cells.ts'

const CELLS_AT_ONCE = 2

/** A counting semaphore: `acquire()` resolves to its `release`. */
function slots(count: number): () => Promise<() => void> {
  const waiting: Array<() => void> = []
  let free = count
  const release = (): void => {
    const next = waiting.shift()
    if (next) next()
    else free++
  }
  return async () => {
    if (free > 0) free--
    else await new Promise<void>((resolve) => waiting.push(resolve))
    return release
  }
}

export function describeTable(runtime: Cell['runtime']): void {
  const missing = unavailable[runtime]
  if (missing) {
    // Locally a missing runtime is a visible skip; in CI it is a failure, never a gap.
    if (process.env.CI) it(`${runtime} is available`, () => expect.fail(missing))
    else it.skip(`${runtime} (${missing})`)
    return
  }
  const acquire = slots(CELLS_AT_ONCE)
  for (const cell of cellsOf(runtime)) {
    describe(`${runtime} · ${cell.style} · ${cell.framework}`, { concurrent: true }, () => {
      let served: Served | undefined
      let release: (() => void) | undefined
      // Waiting for a slot counts against this hook's timeout: allow for the cells ahead.
      beforeAll(async () => {
        release = await acquire()
        served = await cell.start()
      }, 120_000)
      afterAll(async () => {
        await served?.stop()
        release?.()
      })
      for (const behaviour of behaviours) {
        it.sequential(behaviour.name, ({ expect }) => behaviour.run(served!, expect, cell))
      }
    })
  }
}
