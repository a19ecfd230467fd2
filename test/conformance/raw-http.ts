// One kept-alive HTTP/1.1 connection driven by hand, for what fetch() cannot do: send a
// request on a connection that is still busy with the previous one (pipelining), and
// see every response on it, headers included, until the server closes it.
import { connect, type Socket } from 'node:net'

export interface RawResponse {
  status: number
  headers: Record<string, string>
  body: string
}

export class Connection {
  private readonly socket: Socket
  private buffer = Buffer.alloc(0)
  readonly opened: Promise<void>
  /** Resolves once the server closed the connection, with everything it answered. */
  readonly closed: Promise<RawResponse[]>

  constructor(url: string) {
    const { hostname, port } = new URL(url)
    this.socket = connect(Number(port), hostname)
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('connect', resolve)
      this.socket.once('error', reject)
    })
    this.socket.on('data', (chunk: Buffer) => (this.buffer = Buffer.concat([this.buffer, chunk])))
    this.closed = new Promise((resolve) => {
      this.socket.on('error', () => {})
      this.socket.on('close', () => resolve(parseResponses(this.buffer)))
    })
  }

  send(path: string): void {
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n`)
  }

  destroy(): void {
    this.socket.destroy()
  }
}

/** Splits what arrived into responses (Content-Length or chunked bodies). */
export function parseResponses(data: Buffer): RawResponse[] {
  const responses: RawResponse[] = []
  let rest = data
  for (;;) {
    const headEnd = rest.indexOf('\r\n\r\n')
    if (headEnd < 0) return responses
    const [statusLine, ...lines] = rest.subarray(0, headEnd).toString('latin1').split('\r\n')
    const headers: Record<string, string> = {}
    for (const line of lines) {
      const colon = line.indexOf(':')
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
    }
    let body = ''
    let next = headEnd + 4
    if (headers['transfer-encoding'] === 'chunked') {
      for (;;) {
        const sizeEnd = rest.indexOf('\r\n', next)
        if (sizeEnd < 0) return [...responses, { status: Number(statusLine.split(' ')[1]), headers, body }]
        const size = parseInt(rest.subarray(next, sizeEnd).toString('latin1'), 16)
        body += rest.subarray(sizeEnd + 2, sizeEnd + 2 + size).toString('utf8')
        next = sizeEnd + 2 + size + 2
        if (size === 0) break
      }
    } else {
      const length = Number(headers['content-length'] ?? 0)
      body = rest.subarray(next, next + length).toString('utf8')
      next += length
    }
    responses.push({ status: Number(statusLine.split(' ')[1]), headers, body })
    rest = rest.subarray(next)
  }
}
