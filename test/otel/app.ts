// The app every telemetry test serves: a Hono app traced by @hono/otel's middleware, as
// Hono users trace theirs, whose routes register tasks that make spans of their own.
// Make it after the SDK is registered: the middleware takes the meter provider when made.
import { httpInstrumentationMiddleware } from '@hono/otel'
import { trace } from '@opentelemetry/api'
import { Hono, type MiddlewareHandler } from 'hono'
import { after, respond, type TaskControl } from 'finish-request'

const tracer = trace.getTracer('otel-test-app')
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Marks the span active in the task with its request's id: it must be the task's own span. */
function mark(id: string): void {
  trace.getActiveSpan()?.setAttribute('test.id', id)
}

/** `middlewares` run inside @hono/otel's request span (e.g. finishRequest()). */
export function otelApp(...middlewares: MiddlewareHandler[]): Hono {
  const app = new Hono()
  app.use(httpInstrumentationMiddleware({ serviceName: 'otel-test' }))
  for (const middleware of middlewares) app.use(middleware)

  // The seed scenario: an instant answer, then statistics and a zip built in parts.
  app.get('/seed', (c) => {
    const id = c.req.query('id')!
    async function writeStats() {
      mark(id)
      await sleep(2)
    }
    async function buildZip(_signal: AbortSignal, task: TaskControl) {
      mark(id)
      for (let part = 1; part <= 3; part++) {
        await tracer.startActiveSpan('zip part', async (span) => {
          span.setAttribute('test.id', id)
          await sleep(1)
          span.end()
        })
        task.progress(part, 3)
      }
    }
    return respond(c.json({ id }), [writeStats, buildZip])
  })

  app.get('/fail', (c) => {
    const id = c.req.query('id')!
    after(function failing() {
      mark(id)
      throw new Error(`boom ${id}`)
    })
    return c.text('ok')
  })

  app.get('/slow', (c) => {
    const id = c.req.query('id')!
    after(
      function slow(signal) {
        mark(id)
        return new Promise((resolve) => signal.addEventListener('abort', resolve))
      },
      { timeout: 30 },
    )
    return c.text('ok')
  })

  // Never ends: reported abandoned when the server closes past its grace period.
  app.get('/hang', (c) => {
    const id = c.req.query('id')!
    after(function hanging() {
      mark(id)
      return new Promise(() => {})
    })
    return c.text('ok')
  })
  return app
}
