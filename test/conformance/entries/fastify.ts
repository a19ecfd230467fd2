// The conformance routes as ordinary Fastify routes, behind
// `await fastify.register(finishRequest)`.
import { Readable } from 'node:stream'
import { getRequestListener } from '@hono/node-server'
import Fastify from 'fastify'
import { finishRequest } from 'finish-request/fastify'
import { inspector } from 'finish-request/inspector'
import { events, probe, record, recordReport, requestStore } from '../app.ts'
import { frameworkContext, routes } from '../req-res-routes.ts'

process.on('unhandledRejection', () => probe.unhandledRejections++)
process.on('SIGTERM', () => record('signal'))
const number = (name: string) => (process.env[name] === undefined ? undefined : Number(process.env[name]))

const fastify = Fastify()
await fastify.register(finishRequest, {
  gracePeriod: number('GRACE_PERIOD'),
  abandonedExitCode: number('ABANDONED_EXIT_CODE'),
  maxPendingTasks: number('MAX_PENDING_TASKS'),
  taskTimeout: number('TASK_TIMEOUT'),
  onTaskEnd: recordReport,
})
probe.pending = () => fastify.finishRequest.pending

const tasksPage = getRequestListener(inspector(fastify.finishRequest, { maxWatchers: 1 }))
fastify.get('/_tasks/*', (request, reply) => {
  reply.hijack()
  void tasksPage(request.raw, reply.raw)
})
fastify.addHook('onRequest', (request, _reply, done) => {
  if (!request.url.startsWith('/ctx/')) return done()
  const query = new URL(request.url, 'http://x').searchParams
  frameworkContext.run(query, () => requestStore.run(query.get('id')!, done))
})
fastify.get('/events', async () => events)
for (const [path, route] of Object.entries(routes)) {
  fastify.get(path, async (request, reply) => {
    const answer = await route(new URL(request.url, 'http://x').searchParams, request.params as Record<string, string>)
    if ('json' in answer) return answer.json
    if ('text' in answer) return reply.type('text/plain').send(answer.text)
    return reply.type('text/plain').send(Readable.from(answer.chunks()))
  })
}

const url = await fastify.listen({ port: 0, host: '127.0.0.1' })
record('listening', { url: `${url}/`, version: process.versions.node })
