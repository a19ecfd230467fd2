/** Reports always carry an Error, so a thrown string or object is wrapped once here. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value
  return new Error(`non-Error thrown: ${describeThrown(value)}`, { cause: value })
}

// Anything can be thrown, including objects that JSON and String both choke on
// (circular, no prototype): this must not throw in turn, or the task goes unreported.
function describeThrown(value: unknown): string {
  if (typeof value === 'string') return value
  try {
    const json = JSON.stringify(value)
    if (json !== undefined) return json
  } catch {}
  try {
    return String(value)
  } catch {
    return Object.prototype.toString.call(value)
  }
}

export function timeoutError(name: string, ms: number): DOMException {
  return new DOMException(`task "${name}" timed out after ${ms} ms`, 'TimeoutError')
}

export function abandonedError(name: string): DOMException {
  return new DOMException(`task "${name}" was abandoned: the server closed before it finished`, 'AbortError')
}
