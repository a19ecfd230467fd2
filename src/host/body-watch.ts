import type { Delivery, WatchDelivery } from '../context.ts'
import type { DeliveryKind } from '../types.ts'

/**
 * A runtime hands a body to the socket as fast as the socket takes it, one chunk per
 * read. Slicing a large body into chunks this size makes "the runtime asked for the
 * chunk after the last one" mean "all but the last few KiB were written".
 */
const CHUNK = 64 * 1024

// Hono's c.json and c.html, Response.json: sized bodies, taken as small unless their
// Content-Length says otherwise, go out untouched (watching costs a stream pass per
// response). Any other body may be a stream, whose callback may register a task after
// the handler returned, or a large text or binary body: it is watched.
const SIZED = /^(?:application\/json|text\/html)\s*(?:;|$)/i

function worthWatching(response: Response): boolean {
  // Headers first: on Bun, reading `body` makes a ReadableStream of a sized body.
  const headers = response.headers
  const length = headers.get('content-length')
  if (length !== null) return Number(length) > CHUNK
  const type = headers.get('content-type')
  return type === null || !SIZED.test(type)
}

/** Phases of one response, as the watcher sees it. */
const HANDLING = 0
const STREAMING = 1
const ENDED = 2

/**
 * Delivery where the runtime says nothing, or says it too early: Bun, workerd, a fetch
 * handler driven without the runtime's bindings, and Deno (whose `completed` settles
 * once a large body is handed to its server, not written).
 *
 * Tasks are released when the response's body has been read to its end (or cancelled)
 * by the runtime: `'body-end'`. A response without a body, or with a small sized one
 * (JSON, HTML), is delivered when the handler returns: `'returned'`. Given the runtime's
 * own completion (`completed`), delivery also waits for it: `'confirmed'`.
 *
 * A task registered after the handler returned (inside a stream's callback) waits for
 * the same end, since every body that may be a stream is watched.
 */
export class BodyWatch {
  private phase = HANDLING
  private kind: DeliveryKind = 'returned'
  private delivery: Delivery | undefined
  /** `performance.now()` when the body last moved, or was returned. */
  lastProgress = 0

  constructor(
    private readonly completed?: Promise<unknown>,
    /** A HEAD request: the runtime sends no body, so none is read to its end. */
    private readonly headOnly = false,
  ) {}

  static readonly watch: WatchDelivery<BodyWatch> = Object.assign(
    (watch: BodyWatch, delivery: Delivery): void => {
      if (watch.phase === ENDED) delivery.delivered(watch.kind)
      else watch.delivery = delivery
    },
    // While the handler runs it is always moving; then, when a chunk was last taken.
    { progress: (watch: BodyWatch) => (watch.phase === HANDLING ? performance.now() : watch.lastProgress) },
  )

  /** The handler returned `response`: what to hand to the runtime instead. */
  returnedWith(response: Response): Response {
    this.lastProgress = performance.now()
    // Not a Response (Bun's `if (server.upgrade(req)) return`): nothing of ours to watch.
    if (!(response instanceof Response)) {
      this.end()
      return response
    }
    // Deno's completion already covers streams: there only a body a task waits on is sliced.
    const watchBody = !this.headOnly && worthWatching(response) && (this.completed === undefined || this.delivery !== undefined)
    const body = watchBody ? response.body : null
    if (body === null) {
      this.end()
      return response
    }
    this.phase = STREAMING
    return new Response(watched(body, this), response)
  }

  /** The handler threw: the runtime answers 500, and tasks registered before run. */
  threw(): void {
    this.lastProgress = performance.now()
    this.end()
  }

  /** The body was read to its end, cancelled or failed. */
  bodyEnded(): void {
    if (this.phase !== STREAMING) return
    this.end('body-end')
  }

  private end(kind: DeliveryKind = 'returned'): void {
    if (this.completed === undefined) return this.finish(kind)
    this.phase = STREAMING
    const finish = (): void => this.finish('confirmed')
    this.completed.then(finish, finish)
  }

  private finish(kind: DeliveryKind): void {
    if (this.phase === ENDED) return
    this.phase = ENDED
    this.kind = kind
    const delivery = this.delivery
    this.delivery = undefined
    delivery?.delivered(kind)
  }
}

/** `body`, read on demand in chunks of at most CHUNK bytes, telling `watch` when it ends. */
function watched(body: ReadableStream<Uint8Array>, watch: BodyWatch): ReadableStream<Uint8Array> {
  const reader = body.getReader()
  let rest: Uint8Array | undefined
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          if (rest === undefined) {
            const { done, value } = await reader.read()
            if (done) {
              controller.close()
              return watch.bodyEnded()
            }
            rest = value
          }
          watch.lastProgress = performance.now()
          if (!(rest instanceof Uint8Array) || rest.byteLength <= CHUNK) {
            controller.enqueue(rest)
            rest = undefined
          } else {
            controller.enqueue(rest.subarray(0, CHUNK))
            rest = rest.subarray(CHUNK)
          }
        } catch (error) {
          controller.error(error)
          watch.bodyEnded()
        }
      },
      // A client that hangs up cancels the stream: delivery is over.
      cancel(reason) {
        watch.bodyEnded()
        return reader.cancel(reason)
      },
    },
    // Pulled only when the runtime reads: a chunk taken is a chunk on its way to the socket.
    { highWaterMark: 0 },
  )
}
