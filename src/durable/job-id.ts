/**
 * BullMQ refuses custom job ids that contain `:` or read as an integer (its own ids
 * are integers). Callers pass ids like `export:42` or `42`, so every id is mapped:
 * `%` and `:` are percent-escaped, and an id that would still read as an integer
 * gets a trailing `%`, which no escape produces. The mapping is one-to-one, so two
 * different caller ids never become one job, and it reads back exactly.
 */
export function toEngineId(id: string): string {
  const escaped = id.replace(/[%:]/g, (c) => (c === '%' ? '%25' : '%3A'))
  return `${parseInt(escaped, 10)}` === escaped ? `${escaped}%` : escaped
}

/** The caller's id back from `toEngineId`'s. */
export function fromEngineId(engineId: string): string {
  const unmarked = engineId.endsWith('%') ? engineId.slice(0, -1) : engineId
  return unmarked.replace(/%(25|3A)/g, (_, code: string) => (code === '25' ? '%' : ':'))
}
