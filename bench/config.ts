// How much of everything a run does. Full: about 26 minutes on 2 quiet cores (22 before
// the capacity table), and never more than 30 (see budgetMs). Quick: a smoke
// run for CI (about a minute) that proves every part works; its numbers mean little.
import type { Group } from './targets.ts'

export interface GroupPlan {
  /** Rounds of P1, P1w and P2; the servers take turns in each round. 0 skips the group. */
  rounds: number
  /** P2 requests per round. */
  p2Count: number
  /** Rounds of P3 (one slice per server, each beside the bare one), 0 for none. */
  p3Rounds: number
  /** Fresh servers per P4 measurement, 0 for none. */
  p4Rounds: number
}

export interface Config {
  name: 'full' | 'quick'
  groups: Record<Group, GroupPlan>
  /** Latencies keep falling for the first few hundred requests (JIT, caches): warm up long. */
  p1: { warmup: number; count: number; naiveCount: number }
  /** P1w: requests per server per round, the servers taking turns. */
  p1w: { warmup: number; count: number }
  p2: { warmup: number; intervalMs: number }
  /** Many short slices rather than a few long ones: other load on the machine comes and goes. */
  p3: { warmupSeconds: number; seconds: number }
  /** P4's pending tasks per server, per group. */
  p4: { tasks: Record<Group, number> }
  p5: { tasks: number; rounds: number }
  p7: { requests: number; jobs: number; concurrency: number; rounds: number }
  /**
   * The capacity table (P7c): jobs/s through N worker processes on each store, a 2 ms
   * I/O job and a 2 ms CPU job, `jobs.work()` against a bare BullMQ Worker. Jobs per
   * measurement are per store and job, sized to take a few seconds here.
   */
  capacity: {
    rounds: number
    processes: readonly number[]
    concurrency: number
    jobs: Record<'redis' | 'postgres', Record<'io' | 'cpu', number>>
  }
  /** P8: inspector pages open in each condition; every condition is one P3 slice per round. */
  p8: { pages: readonly number[]; seconds: number; rounds: number }
  /** No round or phase starts after this long: the rest is reported as not measured. */
  budgetMs: number
  /** The bench gives up (and exits non-zero) after this long, whatever happens. */
  deadlineMs: number
}

const plan = (rounds: number, p2Count: number, p3Rounds: number, p4Rounds: number): GroupPlan => ({ rounds, p2Count, p3Rounds, p4Rounds })

export const FULL: Config = {
  name: 'full',
  groups: {
    // P3 has five rounds where its goals are judged against bare (Node 24, the LTS, and
    // Node 20 with the peers), four elsewhere: with the middleware's control a group has
    // nine pairs a round, and the whole run must leave the capacity table its time.
    node20: plan(5, 40, 5, 2),
    node22: plan(3, 30, 4, 1),
    node24: plan(3, 30, 5, 1),
    node26: plan(3, 30, 4, 1),
    bun: plan(3, 30, 4, 1),
    deno: plan(3, 30, 4, 1),
    workerd: plan(3, 30, 0, 0),
  },
  p1: { warmup: 100, count: 300, naiveCount: 2 },
  p1w: { warmup: 100, count: 400 },
  p2: { warmup: 5, intervalMs: 50 },
  p3: { warmupSeconds: 2, seconds: 3 },
  // The heap per task is as steady at 50 000 as at 100 000, in half the time.
  p4: { tasks: { node20: 50_000, node22: 50_000, node24: 50_000, node26: 50_000, bun: 50_000, deno: 50_000, workerd: 0 } },
  p5: { tasks: 1000, rounds: 3 },
  p7: { requests: 200, jobs: 1000, concurrency: 10, rounds: 3 },
  capacity: { rounds: 3, processes: [1, 2, 4], concurrency: 10, jobs: { redis: { io: 4000, cpu: 2000 }, postgres: { io: 2000, cpu: 1500 } } },
  p8: { pages: [0, 1, 20], seconds: 3, rounds: 4 },
  // About 24 minutes for the rest, and 4 for the capacity table.
  budgetMs: 28 * 60_000,
  deadlineMs: 30 * 60_000,
}

export const QUICK: Config = {
  name: 'quick',
  groups: {
    node20: plan(1, 10, 1, 1),
    // Same server files as Node 20: a smoke run need not start them twice more.
    node22: plan(0, 0, 0, 0),
    node24: plan(0, 0, 0, 0),
    node26: plan(0, 0, 0, 0),
    bun: plan(1, 5, 1, 1),
    deno: plan(1, 5, 1, 1),
    workerd: plan(1, 5, 0, 0),
  },
  p1: { warmup: 10, count: 50, naiveCount: 1 },
  p1w: { warmup: 10, count: 50 },
  p2: { warmup: 2, intervalMs: 50 },
  p3: { warmupSeconds: 0, seconds: 1 },
  p4: { tasks: { node20: 2000, node22: 2000, node24: 2000, node26: 2000, bun: 2000, deno: 2000, workerd: 0 } },
  p5: { tasks: 500, rounds: 1 },
  p7: { requests: 50, jobs: 200, concurrency: 10, rounds: 1 },
  // One worker process per store and mode: it proves the phase works, no more.
  capacity: { rounds: 1, processes: [1], concurrency: 10, jobs: { redis: { io: 200, cpu: 100 }, postgres: { io: 200, cpu: 100 } } },
  // Two pages, not twenty: opening browser profiles is the slow part of a smoke run.
  p8: { pages: [0, 1, 2], seconds: 1, rounds: 1 },
  budgetMs: 3 * 60_000,
  deadlineMs: 4 * 60_000,
}
