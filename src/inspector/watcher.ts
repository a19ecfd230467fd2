const encoder = new TextEncoder()

/**
 * One open `GET /events` response. Its queue is bounded: a client that reads slower
 * than events come stops being sent events once `maxQueued` bytes wait for it, and gets
 * a fresh snapshot instead as soon as it has caught up (so it never shows a gap).
 */
export class Watcher {
  readonly body: ReadableStream<Uint8Array>
  private controller!: ReadableStreamDefaultController<Uint8Array>
  private lagging = false
  private ended = false

  constructor(
    first: Uint8Array,
    private readonly maxQueued: number,
    private readonly snapshot: () => Uint8Array,
    private readonly onEnd: (watcher: Watcher) => void,
  ) {
    this.body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller
          controller.enqueue(first)
        },
        // Called once the queue is below its high-water mark again: caught up.
        pull: () => {
          if (!this.lagging || this.ended) return
          this.lagging = false
          this.controller.enqueue(this.snapshot())
        },
        // The client went away (every runtime cancels the body then).
        cancel: () => this.end(false),
      },
      { highWaterMark: 16 * 1024, size: (chunk) => chunk.byteLength },
    )
  }

  send(chunk: Uint8Array): void {
    if (this.ended || this.lagging) return
    if ((this.controller.desiredSize ?? 0) < -this.maxQueued) {
      this.lagging = true
      return
    }
    this.controller.enqueue(chunk)
  }

  /** Ends the response (`close`: the stream finishes cleanly) and leaves the hub, once. */
  end(close = true): void {
    if (this.ended) return
    this.ended = true
    if (close) {
      try {
        this.controller.close()
      } catch {
        // Already errored or cancelled by the runtime: nothing left to close.
      }
    }
    this.onEnd(this)
  }
}

export const encode = (text: string): Uint8Array => encoder.encode(text)
