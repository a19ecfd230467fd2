import { fail } from '../validate.ts'

/** A job's payload in JSON, and its size in UTF-8 bytes as every engine counts it. */
export interface SerializedPayload {
  json: string
  bytes: number
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
  check(call, payload, 'payload', [])
  let json: string
  try {
    json = JSON.stringify(payload)
  } catch (error) {
    // What only JSON itself finds out: a toJSON or a getter that throws.
    fail(call, `payload could not be serialized (${error instanceof Error ? error.message : String(error)})`, payload)
  }
  const bytes = encoder.encode(json).length
  if (bytes > maxBytes) {
    throw new TypeError(`${call}: payload must be at most ${maxBytes} bytes of JSON, got ${bytes} bytes`)
  }
  return { json, bytes }
}

function check(call: string, value: unknown, path: string, ancestors: object[]): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return
    case 'number':
      if (!Number.isFinite(value)) fail(call, `${path} must be a finite number (JSON turns it into null)`, value)
      return
    case 'object':
      break
    default:
      // undefined, function, symbol, bigint: dropped or refused by JSON.
      fail(call, `${path} must be JSON data`, value)
  }
  if (value === null) return
  if (ancestors.includes(value)) fail(call, `${path} must not refer back to an enclosing object (a cycle)`, value)
  // A Date, or anything else that says how it becomes JSON, is trusted to.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return
  ancestors.push(value)
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) check(call, value[i], `${path}[${i}]`, ancestors)
  } else {
    const proto = Object.getPrototypeOf(value)
    if (proto !== Object.prototype && proto !== null) {
      fail(call, `${path} must be a plain object, an array or a primitive (JSON would lose what it holds)`, value)
    }
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key]
      // An absent optional field: JSON leaves the key out, which reads back the same.
      if (item === undefined) continue
      check(call, item, /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`, ancestors)
    }
  }
  ancestors.pop()
}
