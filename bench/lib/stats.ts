// Summaries of samples. Medians everywhere: one slow outlier (a GC, a noisy neighbour)
// must not move a figure. Spreads are min–max over rounds: with 3–8 rounds that is the
// honest interval, and a target inside it is "within noise", not a pass or a miss.

export function percentile(samples: readonly number[], p: number): number {
  const finite = samples.filter(Number.isFinite)
  if (finite.length === 0) return NaN
  const sorted = [...finite].sort((a, b) => a - b)
  // Linear interpolation between closest ranks.
  const rank = (p / 100) * (sorted.length - 1)
  const low = Math.floor(rank)
  const high = Math.ceil(rank)
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low)
}

export const median = (samples: readonly number[]): number => percentile(samples, 50)

export interface Spread {
  median: number
  min: number
  max: number
  /** Rounds that produced a value. */
  n: number
}

export function spread(values: readonly number[]): Spread {
  const finite = values.filter(Number.isFinite)
  return {
    median: median(finite),
    min: finite.length ? Math.min(...finite) : NaN,
    max: finite.length ? Math.max(...finite) : NaN,
    n: finite.length,
  }
}

/**
 * Round r of `a` against round r of `b`: both were measured in the same round, minutes
 * apart at most, so a ratio per round cancels the drift that a ratio of medians keeps.
 */
export function paired(a: readonly number[], b: readonly number[], combine: (x: number, y: number) => number): number[] {
  const out: number[] = []
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (Number.isFinite(a[i]) && Number.isFinite(b[i]) && b[i] !== 0) out.push(combine(a[i]!, b[i]!))
  }
  return out
}
export const ratios = (a: readonly number[], b: readonly number[]): number[] => paired(a, b, (x, y) => x / y)
export const differences = (a: readonly number[], b: readonly number[]): number[] => paired(a, b, (x, y) => x - y)

/** Round r visits the servers starting at a different one, so drift hits all alike. */
export function rotate<T>(items: readonly T[], round: number): T[] {
  const k = round % Math.max(1, items.length)
  return [...items.slice(k), ...items.slice(0, k)]
}

/**
 * Pairs measured side by side (a server and its reference, at the same moment): each
 * server's rate scaled to the reference's median rate of the round, so that a ratio to
 * the reference row is the pair's own ratio. Returns that median and the scaled rates.
 */
export function scaledToReference(pairs: ReadonlyArray<{ rps: number; reference: number }>): { reference: number; scaled: number[] } {
  const reference = median(pairs.map((p) => p.reference))
  return { reference, scaled: pairs.map((p) => (p.rps * reference) / p.reference) }
}
