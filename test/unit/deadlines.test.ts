// The enqueueTimeout of a queue's sends (src/durable/deadlines.ts): one timer and one
// AbortController per group of sends, and each send still given up on at its deadline.
import { describe, expect, it } from 'vitest'
import { Deadlines } from '../../src/durable/deadlines.ts'

const never = () => new Promise<never>(() => {})
const after = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms))

describe('Deadlines', () => {
  it('gives up on a send past its deadline, not before, and aborts its signal', async () => {
    const deadlines = new Deadlines(100, 10)
    let signal: AbortSignal | undefined
    const started = performance.now()
    const error = await deadlines
      .within((s) => {
        signal = s
        return never()
      })
      .catch((e: Error) => e)
    const waited = performance.now() - started
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toBe('no acknowledgement within 100 ms')
    expect(signal?.aborted).toBe(true)
    expect(signal?.reason).toBe(error)
    // At least the timeout, at most the timeout and the group's width (and a loaded machine's lateness).
    expect(waited).toBeGreaterThanOrEqual(99)
    expect(waited).toBeLessThan(400)
  })

  it('sends started together share one signal; those answered in time keep their answer', async () => {
    const deadlines = new Deadlines(100, 50)
    const signals: AbortSignal[] = []
    const fast = deadlines.within((s) => (signals.push(s), after(20, 'fast')))
    const slow = deadlines.within((s) => (signals.push(s), never()))
    const failing = deadlines.within((s) => (signals.push(s), Promise.reject(new Error('refused'))))
    expect(signals[0]).toBe(signals[1])
    expect(signals[1]).toBe(signals[2])
    await Promise.all([
      expect(fast).resolves.toBe('fast'),
      expect(failing).rejects.toThrow('refused'),
      expect(slow).rejects.toThrow('no acknowledgement within 100 ms'),
    ])
  })

  it('a later send is in a group of its own, and keeps its full time after the first group expired', async () => {
    const deadlines = new Deadlines(60, 10)
    const signals: AbortSignal[] = []
    const first = deadlines.within((s) => (signals.push(s), never())).catch((e: Error) => e.message)
    await after(40, null)
    const second = deadlines.within((s) => (signals.push(s), after(50, 'in time')))
    expect(signals[1]).not.toBe(signals[0])
    expect(await first).toBe('no acknowledgement within 60 ms')
    // The first group expired while the second send was still running: it is not touched.
    expect(signals[1]!.aborted).toBe(false)
    await expect(second).resolves.toBe('in time')
  })

  it('with granularity 0 (Workers) every send has its own signal', () => {
    const deadlines = new Deadlines(1000, 0)
    const signals: AbortSignal[] = []
    void deadlines.within((s) => (signals.push(s), Promise.resolve()))
    void deadlines.within((s) => (signals.push(s), Promise.resolve()))
    expect(signals[0]).not.toBe(signals[1])
  })
})
