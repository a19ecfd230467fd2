import type { TaskSource } from '../types.ts'
import { checkOptionNames, fail, type OptionNames } from '../validate.ts'
import { Hub, type HubOptions } from './hub.ts'
import { renderPage } from './page.ts'

export type { TaskEntry, WireEvent, WireReport } from './wire.ts'

export interface InspectorOptions {
  /** How many recent tasks the page lists (running ones included). Default 200. */
  history?: number
  /** How many `/events` streams may be open at once; the next one gets a 503. Default 32. */
  maxWatchers?: number
  /** Milliseconds between keep-alive comments on each stream. Default 15 000. */
  heartbeat?: number
}

export type InspectorHandler = (request: Request) => Response | Promise<Response>

const CALL = 'inspector(source, options)'

/**
 * A live view of a source's tasks (what `serve()` or `handle()` returns), as a
 * Web-standard fetch handler to mount anywhere: `GET <mount>/` is the page, `GET
 * <mount>/events` a `text/event-stream` of JSON task events. It shows request URLs and
 * error messages: put it behind your own auth.
 */
export function inspector(source: TaskSource, options: InspectorOptions = {}): InspectorHandler {
  // A finishRequest() middleware is a function that is also a TaskSource.
  if (
    (typeof source !== 'object' && typeof source !== 'function') ||
    source === null ||
    typeof (source as Partial<TaskSource>).subscribe !== 'function' ||
    typeof (source as Partial<TaskSource>).pending !== 'number'
  ) {
    fail(CALL, 'source must be a TaskSource (what serve(), handle() or finishRequest() returns)', source)
  }
  if (typeof options !== 'object' || options === null) fail(CALL, 'options must be an object', options)
  checkOptionNames(CALL, options, { history: true, maxWatchers: true, heartbeat: true } satisfies OptionNames<InspectorOptions>)
  const hub = hubOf(source, {
    history: count('options.history', options.history, 200),
    maxWatchers: count('options.maxWatchers', options.maxWatchers, 32),
    heartbeat: count('options.heartbeat', options.heartbeat, 15_000),
    flushInterval: 100,
    maxQueued: 256 * 1024,
  })

  return (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response('inspector: only GET\n', { status: 405, headers: { allow: 'GET, HEAD', ...PLAIN } })
    }
    // Routed by the last path segment, so it works mounted (the prefix stripped) and as a
    // plain route (the full path) alike.
    const path = new URL(request.url).pathname.replace(/\/+$/, '')
    if (path.endsWith('/events')) {
      // A HEAD has no body to cancel when its client leaves: it must not take a watcher's place.
      if (request.method === 'HEAD') return new Response(null, { headers: EVENT_STREAM })
      return events(hub)
    }
    return new Response(renderPage(hub.tasks(), source.pending, Date.now()), {
      headers: { 'content-type': 'text/html; charset=utf-8', ...NO_STORE },
    })
  }
}

const NO_STORE = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }
const PLAIN = { 'content-type': 'text/plain; charset=utf-8', ...NO_STORE }
const EVENT_STREAM = {
  'content-type': 'text/event-stream; charset=utf-8',
  // Proxies such as nginx buffer responses unless told not to.
  'x-accel-buffering': 'no',
  ...NO_STORE,
}

function events(hub: Hub): Response {
  const watcher = hub.open()
  if (typeof watcher === 'string') {
    return new Response(`inspector: ${watcher}\n`, { status: 503, headers: { 'retry-after': '5', ...PLAIN } })
  }
  // When the client leaves, every runtime cancels the body: that ends the watcher. (Not
  // request.signal: Deno's aborts on successful responses too, and warns about it.)
  return new Response(watcher.body, { headers: EVENT_STREAM })
}

/**
 * A hub listens to its source for as long as the source lives (its history), so
 * `inspector(server)` called again, even once per request, reuses the hub of the same
 * source and options instead of adding a listener each time.
 */
const hubs = new WeakMap<TaskSource, Map<string, Hub>>()

function hubOf(source: TaskSource, options: HubOptions): Hub {
  let bySettings = hubs.get(source)
  if (!bySettings) hubs.set(source, (bySettings = new Map()))
  const key = `${options.history}/${options.maxWatchers}/${options.heartbeat}`
  let hub = bySettings.get(key)
  if (!hub) bySettings.set(key, (hub = new Hub(source, options)))
  return hub
}

function count(argument: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    fail(CALL, `${argument} must be a positive integer`, value)
  }
  return value
}
