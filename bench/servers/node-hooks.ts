// The hooks every Node server passes to the app, read by P4 (heap) and P5 (completions).
import { writeSync } from 'node:fs'
import { writeHeapSnapshot } from 'node:v8'
import type { AppHooks } from '../app.ts'

export { announce, HOST } from './announce.ts'

const gc = (globalThis as { gc?: () => void }).gc
/** bench/heap.ts: every heap reading also writes a snapshot there, numbered. */
const snapshots = process.env.BENCH_HEAP_SNAPSHOTS
let snapshot = 0

export const nodeHooks: AppHooks = {
  // A synchronous write: the line must be out before a signal ends the process.
  onSlowTaskDone: () => writeSync(1, 'done\n'),
  heapUsed: gc
    ? () => {
        // Twice: the first full GC can leave weakly held and finalizable objects behind.
        gc()
        gc()
        if (snapshots) writeHeapSnapshot(`${snapshots}/${++snapshot}.heapsnapshot`)
        return process.memoryUsage().heapUsed
      }
    : undefined,
}
