// The Hono middleware on workerd with its defaults: a plain Hono app exported as the
// module worker, made to finish requests by `app.use(finishRequest())` from
// finish-request/hono, tasks registered with respond(c.executionCtx, …).
import { Hono } from 'hono'
import { finishRequest } from 'finish-request/hono'
import { createApp } from '../app.ts'
import { afterResponse } from '../schedules.ts'

const app = new Hono()
app.use(finishRequest())
app.route('/', createApp(afterResponse))

export default app
