/**
 * Runs `fn(arg)` on a later macrotask. The argument spares callers a closure per call:
 * a server calls it for every request that registers a task.
 */
export type Later = <T>(fn: (arg: T) => void, arg: T) => void

// setImmediate runs after pending I/O callbacks, so a finished response's bytes are
// flushed to the socket before a task gets the CPU. Runtimes without it get a timer, and
// so does workerd (nodejs_compat gives it one): there an immediate set during a request
// whose client has gone never runs, while a timer does.
const onWorkerd = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent === 'Cloudflare-Workers'
const schedule: <T>(fn: (arg: T) => void, arg: T) => unknown =
  typeof globalThis.setImmediate === 'function' && !onWorkerd ? globalThis.setImmediate : (fn, arg) => setTimeout(fn, 0, arg)

/**
 * One macrotask per call. For workerd, where a timer belongs to the request that set
 * it, so one request's callback must never run another request's tasks.
 */
export const macrotask: Later = (fn, arg) => void schedule(fn, arg)

/**
 * How a host's released tasks reach a later turn: batched on a server, one macrotask
 * each on workerd, where a timer belongs to the request that set it and one request
 * must never release another's tasks.
 */
export function hostLater(): Later {
  return onWorkerd ? macrotask : batched()
}

/**
 * About a millisecond later, shared by every caller: a server under load delivers
 * many responses per millisecond, and one timer for all of them is cheaper than one
 * setImmediate each. The millisecond is for a client (or reverse proxy) on the same
 * host: bytes handed to the kernel still have to be read by it, and a CPU-heavy task
 * started at once can take the core the client's wake-up lands on, and so delay it.
 * Callers must not throw (TaskRun.start never does).
 */
export function batched(): Later {
  // Function and argument side by side in one array: no pair object per call.
  let queue: unknown[] | undefined
  const run = (): void => {
    const calls = queue!
    queue = undefined
    for (let i = 0; i < calls.length; i += 2) (calls[i] as (arg: unknown) => void)(calls[i + 1])
  }
  return (fn, arg) => {
    if (queue) queue.push(fn, arg)
    else {
      queue = [fn, arg]
      setTimeout(run, 1)
    }
  }
}
