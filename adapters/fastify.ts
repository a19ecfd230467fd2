import { AsyncLocalStorage } from 'node:async_hooks'
import type { FastifyInstance, FastifyPluginCallback } from 'fastify'
import { currentRequest, useAsyncLocalStorage } from '../src/async-context.ts'
import { RequestContext } from '../src/context.ts'
import { batched } from '../src/macrotask.ts'
import { Adoption, type FinishRequestControl, type FinishRequestOptions } from '../src/host/adoption.ts'
import { refusalOncePersisted } from '../src/host/node-answer.ts'
import { requestInfoOf, watchOutgoing } from '../src/host/outgoing.ts'

export type { FinishRequestControl, FinishRequestOptions }
export type { DrainResult } from '../src/supervisor.ts'

useAsyncLocalStorage(AsyncLocalStorage)

const CONTEXT = Symbol('finish-request.context')

declare module 'fastify' {
  interface FastifyInstance {
    /** Set by `fastify.register(finishRequest)`: pending tasks, close(), and a task source for the inspector. */
    finishRequest: FinishRequestControl
  }
}

/**
 * A Fastify (5) plugin: `await fastify.register(finishRequest, options?)` makes
 * `after(task)` work in every route and the code it calls. Each request gets its own
 * context, and its tasks start once the response has been delivered (its `finish`, or
 * `close` if the client left first). Not encapsulated: it applies to the whole
 * instance, whatever the plugin it is registered from. `fastify.close()` drains the
 * tasks; on SIGINT/SIGTERM (`signals`) new requests get 503 + Retry-After while tasks
 * drain, then the instance is closed and the process exits 0 (or `abandonedExitCode`,
 * 75, when tasks had to be abandoned).
 * `fastify.finishRequest` has `pending` and `close()`.
 */
export const finishRequest: FastifyPluginCallback<FinishRequestOptions> = Object.assign(
  function finishRequest(fastify: FastifyInstance, options: FinishRequestOptions, done: (error?: Error) => void): void {
    // Fastify hands a plugin `{}` when registered without options.
    const adoption = new Adoption('fastify.register(finishRequest, options)', options, batched())
    const { host } = adoption
    // On a signal, refuse (503 + Retry-After, which Fastify's own closing 503 lacks) and
    // drain first; then close the instance, whose onClose finds the drain done.
    adoption.closeOnSignal = () => adoption.close().then(() => fastify.close())
    adoption.ownProcess()

    fastify.decorate('finishRequest', adoption.control({}))
    fastify.addHook('onRequest', (request, reply, next) => {
      if (currentRequest() !== undefined) return next()
      const refused = host.refusal()
      if (refused) {
        void refused.text().then((body) => reply.code(refused.status).headers(Object.fromEntries(refused.headers)).send(body))
        return
      }
      const context = new RequestContext(host.supervisor, requestInfoOf(request.raw), watchOutgoing, reply.raw)
      ;(request as { [CONTEXT]?: RequestContext<unknown, any> })[CONTEXT] = context
      adoption.begin()
      reply.raw.once('close', () => adoption.end())
      // The rest of the request (hooks, handler) runs from `next`: it finds its context.
      host.enter(context, next)
    })
    // A durable task registered during the request is persisted before its response leaves;
    // if its engine was down and it asked for a refusal, the answer becomes that 503.
    fastify.addHook('onSend', (request, reply, payload, next) => {
      const context = (request as { [CONTEXT]?: RequestContext<unknown, any> })[CONTEXT]
      const refusal = context && refusalOncePersisted(host, context)
      if (refusal === undefined) return next(null, payload)
      void refusal.then(async (response) => {
        if (response === undefined) return next(null, payload)
        const body = await response.text()
        reply.code(response.status).headers(Object.fromEntries(response.headers))
        next(null, body)
      })
    })
    // Fastify stops accepting first, then runs onClose: drain what its routes registered.
    fastify.addHook('onClose', (_instance, closed) => {
      adoption.close().then(() => closed(), closed)
    })
    done()
  },
  {
    // What fastify-plugin sets: the hooks apply to the whole instance, not a child scope.
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: 'finish-request',
  },
)
