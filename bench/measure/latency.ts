// P1 and P2: full response times of one server, one request at a time on one keep-alive
// connection, from a client process separate from the server (a server's CPU task must
// not be able to starve the client and hide, or invent, a delay).
import { Connection } from '../lib/http-client.ts'
import { percentile } from '../lib/stats.ts'

export interface LatencyRun {
  /** Full response times, ms, warm-up excluded. */
  samples: number[]
  /** Responses other than 200 (e.g. 503 from admission control): they make the run invalid. */
  failures: number
}

export interface LatencyPlan {
  path: string
  warmup: number
  count: number
  /** Start request i at i × intervalMs (P2); 0 sends each as soon as the last one ended (P1). */
  intervalMs: number
  timeoutMs: number
}

export async function measureLatency(url: string, plan: LatencyPlan): Promise<LatencyRun> {
  const connection = await Connection.open(url)
  const samples: number[] = []
  let failures = 0
  try {
    const start = performance.now()
    for (let i = 0; i < plan.warmup + plan.count; i++) {
      if (plan.intervalMs > 0) {
        // A fixed schedule, not "100 ms after the last answer", so slow answers don't
        // space requests further apart and hide the interference being measured.
        const wait = start + i * plan.intervalMs - performance.now()
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
      }
      const { status, ms } = await connection.get(plan.path, plan.timeoutMs)
      if (status !== 200) failures++
      if (i >= plan.warmup) samples.push(ms)
    }
  } finally {
    connection.close()
  }
  return { samples, failures }
}

export const p50 = (run: LatencyRun): number => percentile(run.samples, 50)
export const p95 = (run: LatencyRun): number => percentile(run.samples, 95)

/** One server and the path requested from it, in a turn-taking measurement. */
export interface Endpoint {
  url: string
  path: string
}

/**
 * P1w (and P7's response time): the endpoints take turns request by request, one
 * keep-alive connection each, so every one is timed under the same moment's conditions;
 * in P1w each server keeps its 1 s tasks pending throughout (a few hundred at a time).
 * Returns each endpoint's samples, in the order given.
 */
export async function measureAlternating(endpoints: readonly Endpoint[], plan: Omit<LatencyPlan, 'path'>): Promise<LatencyRun[]> {
  const connections = await Promise.all(endpoints.map(({ url }) => Connection.open(url)))
  const runs: LatencyRun[] = endpoints.map(() => ({ samples: [], failures: 0 }))
  try {
    for (let i = 0; i < plan.warmup + plan.count; i++) {
      // A different endpoint goes first in each cycle: none always follows the same one.
      for (let k = 0; k < connections.length; k++) {
        const e = (i + k) % connections.length
        const { status, ms } = await connections[e]!.get(endpoints[e]!.path, plan.timeoutMs)
        if (status !== 200) runs[e]!.failures++
        if (i >= plan.warmup) runs[e]!.samples.push(ms)
      }
    }
  } finally {
    for (const connection of connections) connection.close()
  }
  return runs
}
