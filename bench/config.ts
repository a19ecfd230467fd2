// How much of everything a run does. Full: about 10 minutes on 2 cores. Quick: a smoke
// run for CI (under ~90 s) that proves every part works; its numbers mean little.

export interface Config {
  name: 'full' | 'quick'
  /** Rounds for P1 and P2 on Node; servers alternate within each round. */
  rounds: number
  /** Rounds for P1/P2 on Bun, Deno and workerd. */
  otherRounds: number
  /** Latencies keep falling for the first few hundred requests (JIT, caches): warm up long. */
  p1: { warmup: number; count: number; naiveCount: number }
  p2: { warmup: number; count: number; intervalMs: number }
  /** P2 requests per round on Bun, Deno and workerd. */
  otherP2Count: number
  /** Many short slices rather than a few long ones: other load on the machine comes and goes. */
  p3: { warmupSeconds: number; seconds: number; rounds: number }
  p4: { tasks: number }
  p5: { tasks: number; rounds: number }
  /** The bench gives up (and exits non-zero) after this long, whatever happens. */
  deadlineMs: number
}

export const FULL: Config = {
  name: 'full',
  rounds: 5,
  otherRounds: 3,
  p1: { warmup: 200, count: 500, naiveCount: 2 },
  p2: { warmup: 5, count: 60, intervalMs: 100 },
  otherP2Count: 40,
  p3: { warmupSeconds: 2, seconds: 3, rounds: 10 },
  p4: { tasks: 100_000 },
  p5: { tasks: 1000, rounds: 3 },
  deadlineMs: 20 * 60_000,
}

export const QUICK: Config = {
  name: 'quick',
  rounds: 1,
  otherRounds: 1,
  p1: { warmup: 10, count: 50, naiveCount: 1 },
  p2: { warmup: 2, count: 10, intervalMs: 100 },
  otherP2Count: 10,
  p3: { warmupSeconds: 0, seconds: 2, rounds: 1 },
  p4: { tasks: 5000 },
  p5: { tasks: 1000, rounds: 1 },
  deadlineMs: 4 * 60_000,
}
