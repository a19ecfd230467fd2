import type { Delivery, WatchDelivery } from '../context.ts'

/**
 * Where a runtime gives no delivery signal (Bun, Workers), a streamed body must end
 * before its tasks start. A stream the handler made cannot be told from one the
 * runtime made lazily for a string body, so streamed responses are recognised by what
 * streaming helpers (Hono's stream, streamText, streamSSE) set: wrapping a sized body
 * would needlessly turn it chunked.
 */
function isStreamed(response: Response): boolean {
  // Headers first: on Bun, reading `body` makes a ReadableStream of a plain JSON body,
  // which cost a fifth of a no-op route's throughput (the benchmark's P3).
  const headers = response.headers
  const streaming = headers.get('transfer-encoding') === 'chunked' || headers.get('content-type')?.startsWith('text/event-stream') === true
  return streaming && response.body !== null
}

/** The same response, with a body that calls `ended` once read to its end or cancelled. */
function onBodyEnd(response: Response, ended: () => void): Response {
  let fired = false
  const fire = (): void => {
    if (fired) return
    fired = true
    ended()
  }
  const reader = response.body!.getReader()
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read()
        if (!done) return controller.enqueue(value)
        controller.close()
      } catch (error) {
        controller.error(error)
      }
      fire()
    },
    // A client that hangs up cancels the stream: delivery is over.
    cancel(reason) {
      fire()
      return reader.cancel(reason)
    },
  })
  return new Response(body, response)
}

/**
 * Delivery for runtimes that report none: a request's tasks are released once its
 * handler has returned a Response (or thrown), or once a streamed body has ended.
 */
export class ReturnGate {
  private returned = false
  private delivery: Delivery | undefined

  static readonly watch: WatchDelivery<ReturnGate> = (gate, delivery) => {
    if (gate.returned) delivery.delivered()
    else gate.delivery = delivery
  }

  /** The handler returned `response`: what to hand to the runtime instead. */
  returnedWith(response: Response): Response {
    this.returned = true
    const delivery = this.delivery
    if (delivery === undefined) return response
    if (isStreamed(response)) return onBodyEnd(response, () => delivery.delivered())
    delivery.delivered()
    return response
  }

  /** The handler threw: the runtime answers 500, and tasks registered before run. */
  threw(): void {
    this.returned = true
    this.delivery?.delivered()
  }
}
