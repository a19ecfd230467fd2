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

export function checkTaskOptions(call: string, options: unknown): TaskOptions | undefined {
  if (options === undefined) return undefined
  if (typeof options !== 'object' || options === null) fail(call, 'options must be an object', options)
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
