import { fail } from '../validate.ts'

/** A number: exponential from that many ms. Or BullMQ's own shape. */
export type Backoff = number | { type: 'fixed' | 'exponential'; delay: number }

export function backoffOf(call: string, backoff: Backoff): { type: 'fixed' | 'exponential'; delay: number } {
  const { type, delay } = typeof backoff === 'number' ? { type: 'exponential' as const, delay: backoff } : (backoff ?? {})
  if ((type !== 'fixed' && type !== 'exponential') || typeof delay !== 'number' || !(delay >= 0) || !Number.isFinite(delay)) {
    fail(call, `options.backoff must be a number of ms, or { type: 'fixed' | 'exponential', delay }`, backoff)
  }
  return { type, delay }
}

/** The wait in ms before attempt `next` (2 for the first retry), as BullMQ computes it. */
export function retryDelay(backoff: { type: 'fixed' | 'exponential'; delay: number }, next: number): number {
  return backoff.type === 'fixed' ? backoff.delay : backoff.delay * 2 ** (next - 2)
}
