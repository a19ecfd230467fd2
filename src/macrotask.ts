// setImmediate runs after pending I/O callbacks, so a finished response's bytes are
// flushed to the socket before a task gets the CPU. Runtimes without it get a timer.
const schedule: (fn: () => void) => unknown =
  typeof globalThis.setImmediate === 'function' ? globalThis.setImmediate : (fn) => setTimeout(fn, 0)

export function macrotask(fn: () => void): void {
  schedule(fn)
}
