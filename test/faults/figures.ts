// Each scenario prints one line of figures per runtime: what RESULTS.md is made from.
export function figures(scenario: string, runtime: string, values: Record<string, unknown>): void {
  const text = Object.entries(values)
    .map(([key, value]) => `${key}=${typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(1) : value}`)
    .join(' ')
  console.log(`[faults] ${scenario} ${runtime}: ${text}`)
}

export const MiB = 1024 * 1024
export const mib = (bytes: number) => Math.round((bytes / MiB) * 10) / 10
