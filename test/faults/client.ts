// The load side: plain node:http over loopback, with every outcome (status or network
// error) returned rather than thrown, so a scenario can account for each request.
import { Agent, request } from 'node:http'
import { connect } from 'node:net'

export type Outcome =
  | { status: number; headers: Record<string, string | string[] | undefined>; body: string; error?: undefined }
  | { status: 0; error: string }

/** GET `url`; resolves with the status and body, or the network error's code. Never rejects. */
export function get(url: string, options: { agent?: Agent; headers?: Record<string, string>; timeout?: number } = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request(url, { agent: options.agent, headers: options.headers, timeout: options.timeout ?? 15_000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      res.on('error', (error: NodeJS.ErrnoException) => resolve({ status: 0, error: error.code ?? error.message }))
    })
    req.on('timeout', () => req.destroy(new Error('client timeout')))
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ status: 0, error: error.code ?? error.message }))
    req.end()
  })
}

export async function json<T = any>(url: string, init: { agent?: Agent } = {}): Promise<T> {
  const outcome = await get(url, init)
  if (outcome.status !== 200) throw new Error(`GET ${url}: ${outcome.status} ${outcome.error ?? outcome.body}`)
  return JSON.parse(outcome.body) as T
}

/** Runs `job(0..count-1)` with at most `concurrency` at a time. */
export async function pool<T>(count: number, concurrency: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count)
  let next = 0
  const worker = async () => {
    while (next < count) {
      const i = next++
      results[i] = await job(i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker))
  return results
}

/** `connections` loops, each running `job` back to back until `stop()` is true. */
export async function loops(connections: number, stop: () => boolean, job: () => Promise<void>): Promise<void> {
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (!stop()) await job()
    }),
  )
}

/**
 * One raw HTTP/1.1 request on its own socket, abandoned by the client: `before` hangs up
 * `afterMs` after sending (the handler is still running), `during` hangs up on the first
 * bytes of the response. Resolves once the socket is gone.
 */
export function hangUp(url: string, path: string, when: 'before' | 'during', afterMs = 10): Promise<void> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`)
      if (when === 'before') setTimeout(() => socket.destroy(), afterMs)
    })
    if (when === 'during') socket.once('data', () => socket.destroy())
    socket.on('error', () => socket.destroy())
    socket.on('close', () => resolve())
  })
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `check` every 50 ms until it returns true; fails with `what` after `ms`. */
export async function until(check: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await sleep(50)
  }
}
