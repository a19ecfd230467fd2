// The units of work every server runs, identical across servers and runtimes so that
// only the way the work is scheduled differs.

/** The one JSON body every server answers with: small, like an ajax "ok". */
export const BODY = { code: 0, msg: 'ok', data: { id: 42, items: ['a', 'b', 'c'], done: true } }

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** A synchronous CPU loop of `ms` milliseconds, timed by the clock (Node, Bun, Deno). */
export function busyFor(ms: number): number {
  const end = performance.now() + ms
  let x = 1
  while (performance.now() < end) x = spin(x, 1000)
  return x
}

/**
 * A fixed amount of arithmetic. workerd freezes the clock during synchronous code (a
 * Spectre mitigation), so a clock-timed loop would never end there: it runs a count of
 * iterations calibrated on Node instead (same V8).
 */
export function spin(x: number, iterations: number): number {
  for (let i = 0; i < iterations; i++) x = (Math.imul(x ^ (x >>> 15), 2246822507) + i) | 0
  return x
}

/** How many `spin` iterations take `ms` here (median of a few tries, after warm-up). */
export function calibrate(ms: number): number {
  spin(1, 2_000_000)
  const tries: number[] = []
  for (let t = 0; t < 5; t++) {
    const n = 1_000_000
    const start = performance.now()
    spin(t, n)
    tries.push(n / (performance.now() - start))
  }
  tries.sort((a, b) => a - b)
  return Math.round(tries[2]! * ms)
}
