// P4: heap bytes each pending task keeps alive, measured in a real server: a fresh
// process with --expose-gc receives `count` requests that each leave one never-settling
// task behind, and reports its heap after forced GCs before and after. The difference
// divided by the count is what one request's pending task costs, everything included
// (the library's bookkeeping, the promise, what the library keeps of the request).
import autocannon from 'autocannon'
import { Connection } from '../lib/http-client.ts'
import { startServer } from '../lib/processes.ts'
import type { Group, Target } from '../targets.ts'

export interface MemoryRun {
  bytesPerTask: number
  /** Tasks actually pending when measured (should equal the count). */
  held: number
  failures: number
}

interface Heap {
  held: number
  heapUsed: number
}

/** What lets the server force a full GC: Bun has Bun.gc(true) built in. */
const GC_FLAGS: Partial<Record<Group, string[]>> = { bun: [], deno: ['--v8-flags=--expose-gc'] }

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A connection per reading: an idle one would hit the server's keep-alive timeout during the load. */
async function heap(url: string): Promise<Heap> {
  const connection = await Connection.open(url)
  try {
    return await connection.json<Heap>('/heap')
  } finally {
    connection.close()
  }
}

export async function measureMemory(target: Target, count: number): Promise<MemoryRun> {
  const child = await startServer(target.id, {
    ...target.command(GC_FLAGS[target.group] ?? ['--expose-gc']),
    // finish-request's admission control would refuse work beyond 10 000 pending tasks.
    env: { BENCH_MAX_PENDING: String(count * 2) },
  })
  try {
    // Warm up the request path (JIT, lazily created pools) without leaving tasks behind.
    await autocannon({ url: `${child.url}p3`, connections: 50, amount: Math.min(count, 5000) })
    await sleep(200)
    const before = await heap(child.url)
    const load = await autocannon({ url: `${child.url}p4`, connections: 50, amount: count, timeout: 30 })
    // Tasks start after delivery (finish-request), so wait until all of them hold their promise.
    let after = await heap(child.url)
    for (let i = 0; i < 50 && after.held - before.held < count; i++) {
      await sleep(100)
      after = await heap(child.url)
    }
    // Let closed client sockets be released before the final reading.
    await sleep(300)
    after = await heap(child.url)
    return {
      bytesPerTask: (after.heapUsed - before.heapUsed) / count,
      held: after.held - before.held,
      failures: load.non2xx + load.errors + load.timeouts,
    }
  } finally {
    await child.stop()
  }
}
