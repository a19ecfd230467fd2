/** Reports always carry an Error, so a thrown string or object is wrapped once here. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value
  let text: string
  try {
    text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value)
  } catch {
    text = String(value)
  }
  return new Error(`non-Error thrown: ${text}`, { cause: value })
}

export function timeoutError(name: string, ms: number): DOMException {
  return new DOMException(`task "${name}" timed out after ${ms} ms`, 'TimeoutError')
}

export function abandonedError(name: string): DOMException {
  return new DOMException(`task "${name}" was abandoned: the server closed before it finished`, 'AbortError')
}
