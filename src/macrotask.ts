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
 * About a millisecond later, shared by every caller: a server under load delivers
 * many responses per millisecond, and one timer for all of them is cheaper than one
 * setImmediate each. The millisecond is for a client (or reverse proxy) on the same
 * host: bytes handed to the kernel still have to be read by it, and a CPU-heavy task
 * started at once can take the core its wake-up lands on (the benchmark's P2 p95).
 * Callers must not throw (TaskRun.start never does).
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
      setTimeout(run, 1)
    }
  }
}
