// A minimal HTTP/1.1 keep-alive client over one TCP socket: it sends a GET and times the
// response until its body is fully read. Hand-written so the client adds as little and
// as steady a cost as possible to every server alike (fetch/undici would add ~10x more).
import { connect, type Socket } from 'node:net'

interface Pending {
  start: number
  resolve: (result: Timed) => void
  reject: (error: Error) => void
  timer: ReturnType<typeof setTimeout>
}

export interface Timed {
  status: number
  /** From writing the request to reading the last byte of the body. */
  ms: number
}

const HEADER_END = Buffer.from('\r\n\r\n')

export class Connection {
  private buffer: Buffer = Buffer.alloc(0)
  private lastBody = ''
  private closed = false
  private pending: Pending | undefined

  private constructor(
    private readonly socket: Socket,
    private readonly host: string,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('error', (error) => this.fail(error))
    socket.on('close', () => {
      this.closed = true
      this.fail(new Error('connection closed by the server'))
    })
  }

  static open(url: string): Promise<Connection> {
    const { hostname, port } = new URL(url)
    return new Promise((resolve, reject) => {
      const socket = connect({ host: hostname, port: Number(port), noDelay: true })
      socket.once('connect', () => resolve(new Connection(socket, `${hostname}:${port}`)))
      socket.once('error', reject)
    })
  }

  /** One GET on this connection; one request at a time. */
  get(path: string, timeoutMs = 10_000): Promise<Timed> {
    if (this.pending) return Promise.reject(new Error('one request at a time'))
    if (this.closed) return Promise.reject(new Error(`GET ${path}: the connection was closed (keep-alive timeout?)`))
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new Error(`GET ${path}: no response within ${timeoutMs} ms`)), timeoutMs)
      this.buffer = Buffer.alloc(0)
      this.pending = { start: performance.now(), resolve, reject, timer }
      this.socket.write(`GET ${path} HTTP/1.1\r\nHost: ${this.host}\r\n\r\n`)
    })
  }

  /** GET and return the body as JSON (for /heap; not timed). */
  async json<T>(path: string): Promise<T> {
    await this.get(path)
    return JSON.parse(this.lastBody) as T
  }

  close(): void {
    this.pending = undefined
    this.socket.destroy()
  }

  private onData(chunk: Buffer): void {
    const now = performance.now()
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk])
    const pending = this.pending
    if (!pending) return
    const headEnd = this.buffer.indexOf(HEADER_END)
    if (headEnd < 0) return
    const head = this.buffer.subarray(0, headEnd).toString('latin1')
    const bodyStart = headEnd + 4
    const status = Number(head.slice(9, 12))
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head)
    let body: Buffer
    if (length) {
      if (this.buffer.length - bodyStart < Number(length[1])) return
      body = this.buffer.subarray(bodyStart, bodyStart + Number(length[1]))
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const whole = dechunk(this.buffer.subarray(bodyStart))
      if (!whole) return
      body = whole
    } else {
      return this.fail(new Error(`response without a length: ${head.split('\r\n')[0]}`))
    }
    this.lastBody = body.toString('utf8')
    clearTimeout(pending.timer)
    this.pending = undefined
    pending.resolve({ status, ms: now - pending.start })
  }

  private fail(error: Error): void {
    const pending = this.pending
    if (!pending) return
    clearTimeout(pending.timer)
    this.pending = undefined
    this.socket.destroy()
    pending.reject(error)
  }
}

/** The body of a chunked response, or undefined while it is incomplete. */
function dechunk(data: Buffer): Buffer | undefined {
  const parts: Buffer[] = []
  let at = 0
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at)
    if (lineEnd < 0) return undefined
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16)
    if (size === 0) return data.length >= lineEnd + 4 ? Buffer.concat(parts) : undefined
    if (data.length < lineEnd + 2 + size + 2) return undefined
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size))
    at = lineEnd + 2 + size + 2
  }
}
