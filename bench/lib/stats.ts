// Summaries of samples. Medians everywhere: one slow outlier (a GC, a noisy neighbour)
// must not move a figure.

export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN
  const sorted = [...samples].sort((a, b) => a - b)
  // Linear interpolation between closest ranks.
  const rank = (p / 100) * (sorted.length - 1)
  const low = Math.floor(rank)
  const high = Math.ceil(rank)
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low)
}

export const median = (samples: readonly number[]): number => percentile(samples, 50)

/** Round r visits the servers starting at a different one, so drift hits all alike. */
export function rotate<T>(items: readonly T[], round: number): T[] {
  const k = round % Math.max(1, items.length)
  return [...items.slice(k), ...items.slice(0, k)]
}
