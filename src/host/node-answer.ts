import type { RequestContext } from '../context.ts'
import type { Host } from './host.ts'

/** The part of Node's `http.ServerResponse` needed to answer with a Fetch Response. */
interface ServerResponseLike {
  readonly headersSent: boolean
  statusCode: number
  getHeaderNames(): string[]
  removeHeader(name: string): void
  setHeader(name: string, value: string): unknown
  end(...args: unknown[]): unknown
}

/** Answers a `(req, res)` request with a small Fetch `Response` (a 503 refusal): status, headers, text. */
export function answerNode(res: ServerResponseLike, response: Response, end: (...args: unknown[]) => unknown = res.end): void {
  void response.text().then((body) => {
    for (const name of res.getHeaderNames()) res.removeHeader(name)
    res.statusCode = response.status
    for (const [name, value] of response.headers) res.setHeader(name, value)
    end.call(res, body)
  })
}

// What afterPersisted() gives back when nothing refused: compared by identity, never sent.
let NOT_REFUSED: Response | undefined

/**
 * For frameworks that return no Response to hold back: `undefined` when the request has
 * no durable task to wait for, else a promise of the 503 to answer instead (when one's
 * engine was down and it asked for a refusal) or of `undefined`.
 */
export function refusalOncePersisted(host: Host, context: RequestContext<unknown, any>): Promise<Response | undefined> | undefined {
  const sentinel = (NOT_REFUSED ??= new Response(null))
  const result = host.afterPersisted(context, sentinel)
  if (result === sentinel) return undefined
  return Promise.resolve(result).then((response) => (response === sentinel ? undefined : response))
}

/**
 * For `(req, res)` routes: the response's `end()` waits until the request's durable
 * tasks are persisted, and becomes the 503 if one asked for it while the headers are
 * still unsent (a body already streaming cannot be taken back: its job then falls back
 * as the queue's `whenDown` says, reported once).
 */
export function endAfterPersisted(res: ServerResponseLike, host: Host, context: RequestContext<unknown, any>): void {
  const end = res.end
  res.end = function (this: ServerResponseLike, ...args: unknown[]) {
    const refusal = refusalOncePersisted(host, context)
    if (refusal === undefined) return end.apply(this, args)
    void refusal.then((response) => {
      if (response === undefined || this.headersSent) end.apply(this, args)
      else answerNode(this, response, end)
    })
    return this
  }
}
