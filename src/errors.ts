/** Reports always carry an Error, so a thrown string or object is wrapped once here. */
export function toError(value: unknown): Error {
  if (isError(value)) return value
  return new Error(`non-Error thrown: ${describeThrown(value)}`, { cause: value })
}

// Anything can be thrown, even values every inspection throws on (a revoked Proxy,
// a circular object without prototype). Nothing here may throw in turn, or the task
// would go unreported.
function isError(value: unknown): value is Error {
  try {
    return value instanceof Error
  } catch {
    return false
  }
}

function describeThrown(value: unknown): string {
  if (typeof value === 'string') return value
  for (const describe of [JSON.stringify, String, (v: unknown) => Object.prototype.toString.call(v)]) {
    try {
      const text = describe(value)
      if (typeof text === 'string') return text
    } catch {}
  }
  return 'a value that cannot be printed'
}

export function timeoutError(name: string, ms: number): DOMException {
  return new DOMException(`task "${name}" timed out after ${ms} ms`, 'TimeoutError')
}

export function abandonedError(name: string): DOMException {
  return new DOMException(`task "${name}" was abandoned: the server closed before it finished`, 'AbortError')
}
