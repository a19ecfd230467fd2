// The conformance routes as ordinary Express (req, res) routes, behind
// app.use(finishRequest()). EXPRESS=4 runs them on Express 4, else Express 5.
import { Readable } from 'node:stream'
import { getRequestListener } from '@hono/node-server'
import { finishRequest } from 'finish-request/express'
import { inspector } from 'finish-request/inspector'
import { events, probe, record, recordReport, requestStore } from '../app.ts'
import { frameworkContext, routes, type Reply } from '../req-res-routes.ts'

// express4 is Express 4 installed under an alias (npm:express@4); both have Express 5's types here.
const express = (await import(process.env.EXPRESS === '4' ? 'express4' : 'express')).default as typeof import('express')

process.on('unhandledRejection', () => probe.unhandledRejections++)
process.on('SIGTERM', () => record('signal'))
const number = (name: string) => (process.env[name] === undefined ? undefined : Number(process.env[name]))
const middleware = finishRequest({
  gracePeriod: number('GRACE_PERIOD'),
  abandonedExitCode: number('ABANDONED_EXIT_CODE'),
  maxPendingTasks: number('MAX_PENDING_TASKS'),
  taskTimeout: number('TASK_TIMEOUT'),
  onTaskEnd: recordReport,
})
probe.pending = () => middleware.pending

const app = express()
app.use(middleware)
app.use('/_tasks', getRequestListener(inspector(middleware, { maxWatchers: 1 })))
app.use('/ctx', (req, _res, next) => {
  const query = new URL(req.originalUrl, 'http://x').searchParams
  frameworkContext.run(query, () => requestStore.run(query.get('id')!, next))
})
app.get('/events', (_req, res) => void res.json(events))
for (const [path, route] of Object.entries(routes)) {
  app.get(path, async (req, res, next) => {
    try {
      send(res, await route(new URL(req.originalUrl, 'http://x').searchParams, req.params as Record<string, string>))
    } catch (error) {
      next(error)
    }
  })
}

function send(res: import('express').Response, reply: Reply): void {
  if ('json' in reply) res.json(reply.json)
  else if ('text' in reply) res.type('text/plain').send(reply.text)
  else Readable.from(reply.chunks()).pipe(res.type('text/plain'))
}

const server = app.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number }
  record('listening', { url: `http://127.0.0.1:${port}/`, version: process.versions.node })
})
