// The app behind hono/netlify's handle(), called as Netlify Functions (v2) call a
// function: fn(request, context), where context.waitUntil(promise) keeps it alive.
import { handle } from 'hono/netlify'
import { probe } from '../app.ts'
import { adopted } from './middleware.ts'
import { listen, platformContext } from './platform.ts'

process.on('unhandledRejection', () => probe.unhandledRejections++)
const fn = handle(adopted(process.env)) as (request: Request, context: unknown) => Response | Promise<Response>
listen((request) => fn(request, platformContext(request)))
