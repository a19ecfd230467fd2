// The units of work every server runs, identical across servers and runtimes so that
// only the way the work is scheduled differs.

/** The one JSON body every server answers with: small, like an ajax "ok". */
export const BODY = { code: 0, msg: 'ok', data: { id: 42, items: ['a', 'b', 'c'], done: true } }

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * A synchronous CPU loop of `ms` milliseconds by the clock. Local workerd advances its
 * clock during synchronous code (production Workers would not, hence the cap: about a
 * second of arithmetic at most, so the loop ends whatever the clock does).
 */
export function busyFor(ms: number): number {
  const end = performance.now() + ms
  let x = 1
  for (let round = 0; round < 500_000 && performance.now() < end; round++) x = spin(x, 1000)
  return x
}

/** Arithmetic the optimiser cannot drop (its result is returned). */
function spin(x: number, iterations: number): number {
  for (let i = 0; i < iterations; i++) x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + i) | 0
  return x
}
