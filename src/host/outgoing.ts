import type { Delivery, WatchDelivery } from '../context.ts'

/**
 * The part of Node's `http.ServerResponse` (or `Http2ServerResponse`) that tells
 * delivery, typed structurally so that runtime-free modules (the Hono middleware,
 * which also loads on workerd) can watch one without importing `node:http`.
 */
export interface Outgoing {
  readonly writableFinished: boolean
  readonly destroyed: boolean
  readonly headersSent: boolean
  readonly socket?: { readonly bytesWritten: number } | null
  on(event: 'close', listener: (this: Outgoing) => void): unknown
}

type Watched = Outgoing & { [DELIVERY]?: Delivery }
const DELIVERY = Symbol('finish-request.delivery')

/** Whether `value` looks like a Node response (@hono/node-server's `outgoing`, Express's `res`). */
export function isOutgoing(value: unknown): value is Outgoing {
  return value !== null && typeof value === 'object' && typeof (value as Outgoing).on === 'function' && 'writableFinished' in value
}

/**
 * "Delivered" on Node: the response's `finish`, or `close` if the client left first.
 * Node emits `close` on every response, right after `finish` (or alone when the client
 * left), so one listener serves both, without once() wrappers. The listener is one
 * function for all responses, which finds its request on the response: no closure
 * per request.
 */
export const watchOutgoing: WatchDelivery<Watched> = Object.assign(
  (outgoing: Watched, delivery: Delivery): void => {
    if (outgoing.writableFinished || outgoing.destroyed) return delivery.delivered('confirmed')
    outgoing[DELIVERY] = delivery
    outgoing.on('close', onClose)
  },
  {
    // Before the head is sent the handler still runs; after, the socket's bytes tell
    // whether the client still reads (a long stream) or stopped.
    progress: (outgoing: Watched) => (outgoing.headersSent ? (outgoing.socket?.bytesWritten ?? -1) : performance.now()),
  },
)

function onClose(this: Watched): void {
  const delivery = this[DELIVERY]
  this[DELIVERY] = undefined
  delivery?.delivered('confirmed')
}

/** What reports show of a Node request: its method and absolute URL. */
export function requestInfoOf(incoming: {
  method?: string
  url?: string
  originalUrl?: string
  headers: Record<string, string | string[] | undefined>
  socket?: unknown
}): { method: string; url: string } {
  const secure = (incoming.socket as { encrypted?: boolean } | undefined)?.encrypted === true
  const host = incoming.headers[':authority'] ?? incoming.headers.host ?? 'localhost'
  return { method: incoming.method ?? 'GET', url: `${secure ? 'https' : 'http'}://${host}${incoming.originalUrl ?? incoming.url ?? '/'}` }
}
