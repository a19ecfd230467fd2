import { fail } from '../validate.ts'

/** A job's payload in JSON. */
export interface SerializedPayload {
  json: string
}

/**
 * Cloudflare Queues' limit for one message: the default everywhere, so a job that
 * works on one engine does not fail on the other.
 */
export const DEFAULT_MAX_PAYLOAD_BYTES = 128 * 1024

const encoder = new TextEncoder()

/**
 * Serializes `payload`, or throws a TypeError naming what JSON would not carry.
 * JSON.stringify alone is not enough: it silently drops functions, symbols and
 * `undefined`, turns NaN into null and a Map into `{}`, so the job would run with
 * other data than the caller passed.
 */
export function serializePayload(call: string, payload: unknown, maxBytes: number): SerializedPayload {
  check(call, payload, undefined, [])
  let json: string
  try {
    json = JSON.stringify(payload)
  } catch (error) {
    // What only JSON itself finds out: a non-enumerable toJSON that throws, say.
    fail(call, `payload could not be serialized (${error instanceof Error ? error.message : String(error)})`, payload)
  }
  // A UTF-16 code unit is at most 3 UTF-8 bytes: most payloads need no encoding to be sure.
  if (json.length * 3 > maxBytes) {
    const bytes = encoder.encode(json).length
    if (bytes > maxBytes) {
      throw new TypeError(`${call}: payload must be at most ${maxBytes} bytes of JSON, got ${bytes} bytes`)
    }
  }
  return { json }
}

/** Where a value sits, e.g. `payload.user.files[2]`; only built for a message. */
interface Path {
  parent: Path | undefined
  key: string | number
}

function describePath(path: Path | undefined): string {
  if (path === undefined) return 'payload'
  const { parent, key } = path
  const step = typeof key === 'number' ? `[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`
  return describePath(parent) + step
}

function check(call: string, value: unknown, path: Path | undefined, ancestors: object[]): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return
    case 'number':
      if (!Number.isFinite(value)) fail(call, `${describePath(path)} must be a finite number (JSON turns it into null)`, value)
      return
    case 'object':
      break
    default:
      // undefined, function, symbol, bigint: dropped or refused by JSON.
      fail(call, `${describePath(path)} must be JSON data`, value)
  }
  if (value === null) return
  if (ancestors.includes(value)) fail(call, `${describePath(path)} must not refer back to an enclosing object (a cycle)`, value)
  ancestors.push(value)
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) check(call, value[i], { parent: path, key: i }, ancestors)
  } else {
    // A class instance, a Date included, reaches the handler as something else: a Date
    // as a string (its toJSON), a Map or a class's methods as nothing.
    const proto = Object.getPrototypeOf(value)
    if (proto !== Object.prototype && proto !== null) {
      const hint = value instanceof Date ? 'a Date arrives as a string: pass date.toISOString() or date.getTime()' : 'JSON would lose what it holds'
      fail(call, `${describePath(path)} must be a plain object, an array or a primitive (${hint})`, value)
    }
    for (const key in value) {
      if (!Object.prototype.hasOwnProperty.call(value, key)) continue
      const item = (value as Record<string, unknown>)[key]
      // An absent optional field: JSON leaves the key out, which reads back the same.
      if (item === undefined) continue
      // Strings and booleans, the common case, need no path at all.
      if (typeof item === 'string' || typeof item === 'boolean') continue
      check(call, item, { parent: path, key }, ancestors)
    }
  }
  ancestors.pop()
}
