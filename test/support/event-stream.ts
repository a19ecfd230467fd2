// Reads a text/event-stream as a client would: frames separated by a blank line, JSON in
// `data:` lines, comments (`: …`) kept apart so heartbeats can be seen.
export class EventStreamReader {
  readonly events: Array<Record<string, any>> = []
  readonly comments: string[] = []
  ended = false
  private buffer = ''
  private waiters: Array<() => void> = []
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>

  constructor(body: ReadableStream<Uint8Array>) {
    this.reader = body.getReader()
    void this.pump()
  }

  private async pump(): Promise<void> {
    const decoder = new TextDecoder()
    try {
      for (;;) {
        const { done, value } = await this.reader.read()
        if (done) break
        this.buffer += decoder.decode(value, { stream: true })
        let end: number
        while ((end = this.buffer.indexOf('\n\n')) !== -1) {
          const block = this.buffer.slice(0, end)
          this.buffer = this.buffer.slice(end + 2)
          for (const line of block.split('\n')) {
            if (line.startsWith('data: ')) this.events.push(JSON.parse(line.slice(6)))
            else if (line.startsWith(':')) this.comments.push(line)
          }
        }
        this.wake()
      }
    } catch {
      // Cancelled by the test, or the connection was cut.
    }
    this.ended = true
    this.wake()
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake()
  }

  /** Resolves once `check` is true of what was read, or fails after `ms`. */
  async until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms
    while (!check()) {
      if (this.ended) throw new Error(`the stream ended before ${what}`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timed out waiting for ${what}; read: ${JSON.stringify(this.events).slice(0, 2000)}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  async event(match: (event: Record<string, any>) => boolean, what: string, ms?: number): Promise<Record<string, any>> {
    await this.until(() => this.events.some(match), what, ms)
    return this.events.find(match)!
  }

  /** Resolves once the server ended the stream. */
  async end(ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms
    while (!this.ended) {
      const left = deadline - Date.now()
      if (left <= 0) throw new Error('timed out waiting for the stream to end')
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  cancel(): Promise<void> {
    return this.reader.cancel()
  }
}
