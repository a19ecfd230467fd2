import { isDurable } from './durable.ts'
import type { TaskOptions } from './types.ts'

// setTimeout silently turns larger delays into 1 ms, which would fire a "timeout" at once.
const MAX_TIMEOUT = 2_147_483_647

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return value.constructor?.name ?? 'object'
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`
  return typeof value
}

export function fail(call: string, message: string, value: unknown): never {
  throw new TypeError(`${call}: ${message}, got ${describe(value)}`)
}

/** A timeout is a positive number of ms, or Infinity for none. */
export function checkTimeout(call: string, argument: string, value: unknown): number | undefined {
  if (value === undefined || value === Infinity) return undefined
  if (typeof value !== 'number' || !(value > 0) || value > MAX_TIMEOUT) {
    fail(call, `${argument} must be a positive number of milliseconds up to ${MAX_TIMEOUT}, or Infinity`, value)
  }
  return value
}

const TASK_OPTIONS = { name: true, timeout: true } as const satisfies OptionNames<TaskOptions>

export function checkTaskOptions(call: string, options: unknown): TaskOptions | undefined {
  if (options === undefined) return undefined
  if (typeof options !== 'object' || options === null) fail(call, 'options must be an object', options)
  checkOptionNames(call, options, TASK_OPTIONS)
  const { name, timeout } = options as TaskOptions
  if (name !== undefined && typeof name !== 'string') fail(call, 'options.name must be a string', name)
  checkTimeout(call, 'options.timeout', timeout)
  return options as TaskOptions
}

export function checkTask(call: string, argument: string, task: unknown): void {
  if (typeof task !== 'function' && !isDurable(task) && !isThenable(task)) {
    fail(call, `${argument} must be a function, a promise or a durable task`, task)
  }
}

/** A promise already running (Next.js's `after(promise)`), or anything with a `then` method. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function'
}

export function checkCallback(call: string, argument: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') fail(call, `${argument} must be a function`, value)
}

export function checkCount(call: string, argument: string, value: unknown, min: number): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < min)) {
    fail(call, `${argument} must be an integer of at least ${min}`, value)
  }
}

/**
 * Every option name of `T` as `{ name: true }`: written `{ … } satisfies OptionNames<T>`,
 * the compiler refuses a name `T` lacks and one it has that is left out, so an option
 * added to an interface cannot be forgotten by `checkOptionNames`.
 */
export type OptionNames<T> = { [K in keyof Required<T>]: true }

/**
 * An option name nobody reads is a typo until proven otherwise (`prot`, `gracePeriods`):
 * a `TypeError` naming the closest known name, instead of silently using the default.
 */
export function checkOptionNames(call: string, options: object, known: object, path = 'options'): void {
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(known, key)) {
      throw new TypeError(`${call}: ${path}.${key} is not an option; did you mean ${path}.${closest(key, Object.keys(known))}?`)
    }
  }
}

/** The known name nearest to `name`: fewest edits (a swap of neighbours is one), case ignored. */
export function closest(name: string, known: readonly string[]): string {
  let best = known[0]
  let bestDistance = Infinity
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase())
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance]
  }
  return best
}

/** Damerau-Levenshtein (optimal string alignment): insertions, deletions, substitutions, swaps. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i])
  for (let j = 1; j <= b.length; j++) rows[0][j] = j
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1)
    }
  }
  return rows[a.length][b.length]
}

/**
 * A port: an integer from 0 (any free port) to 65535, or the same as a string of digits
 * (`process.env.PORT`). `from` names where it came from, for the message.
 */
export function checkPort(call: string, from: string, value: unknown): number {
  const port = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65_535) {
    const got = typeof value === 'string' ? `"${value}"` : undefined
    const message = `${from} must be a port number from 0 to 65535 (0 picks a free port)`
    if (got) throw new TypeError(`${call}: ${message}, got ${got}`)
    fail(call, message, value)
  }
  return port
}
