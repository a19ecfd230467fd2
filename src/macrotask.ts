/** Runs a callback on a later macrotask. */
export type Later = (fn: () => void) => void

// setImmediate runs after pending I/O callbacks, so a finished response's bytes are
// flushed to the socket before a task gets the CPU. Runtimes without it get a timer.
const schedule: (fn: () => void) => unknown =
  typeof globalThis.setImmediate === 'function' ? globalThis.setImmediate : (fn) => setTimeout(fn, 0)

/**
 * One macrotask per call. For workerd, where a timer belongs to the request that set
 * it, so one request's callback must never run another request's tasks.
 */
export const macrotask: Later = (fn) => void schedule(fn)

/**
 * One macrotask per event-loop turn, shared by every caller: a server under load
 * delivers many responses per turn, and one setImmediate for all of them is cheaper
 * than one each. Callers must not throw (TaskRun.start never does).
 */
export function batched(): Later {
  let queue: Array<() => void> | undefined
  const run = (): void => {
    const callbacks = queue!
    queue = undefined
    for (const fn of callbacks) fn()
  }
  return (fn) => {
    if (queue) queue.push(fn)
    else {
      queue = [fn]
      schedule(run)
    }
  }
}
