import { AsyncLocalStorage } from 'node:async_hooks'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { currentRequest, useAsyncLocalStorage } from '../src/async-context.ts'
import { RequestContext } from '../src/context.ts'
import { batched } from '../src/macrotask.ts'
import { Adoption, type FinishRequestControl, type FinishRequestOptions } from '../src/host/adoption.ts'
import { requestInfoOf, watchOutgoing } from '../src/host/outgoing.ts'
import { answerNode, endAfterPersisted } from '../src/host/node-answer.ts'

export type { FinishRequestControl, FinishRequestOptions }
export type { DrainResult } from '../src/supervisor.ts'

useAsyncLocalStorage(AsyncLocalStorage)

/** `app.use(finishRequest())`: an Express (4 or 5) middleware that is also a task source to drain or watch. */
export type FinishRequestMiddleware = ((req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void) &
  FinishRequestControl

/**
 * Makes `after(task)` work in any Express route and the code it calls: each request
 * gets its own context, and its tasks start once the response has been delivered (its
 * `finish`, or `close` if the client left first). A route has no Response to return,
 * so `respond(response, task)` has nothing to do here: call `after(task)`, then answer
 * with `res` as usual.
 */
export function finishRequest(options?: FinishRequestOptions): FinishRequestMiddleware {
  const adoption = new Adoption('finishRequest(options)', options, batched())
  // An Express app's process is its own.
  adoption.ownProcess()
  const { host } = adoption

  const middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void => {
    // Mounted inside handle()'s listener: that host already gives all of this.
    if (currentRequest() !== undefined) return next()
    const refused = host.refusal()
    if (refused) return answerNode(res, refused)
    const context = new RequestContext(host.supervisor, requestInfoOf(req), watchOutgoing, res)
    adoption.begin()
    res.once('close', () => adoption.end())
    endAfterPersisted(res, host, context)
    host.enter(context, next)
  }
  return adoption.control(middleware)
}
