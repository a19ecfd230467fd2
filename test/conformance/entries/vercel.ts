// The app behind hono/vercel's handle(), in the request context Vercel's runtime installs:
// globalThis[Symbol.for('@vercel/request-context')] = { get() }, returning the current
// request's { waitUntil }, which @vercel/functions' waitUntil reads (its get-context.js).
import { AsyncLocalStorage } from 'node:async_hooks'
import { handle } from 'hono/vercel'
import { probe } from '../app.ts'
import { adopted } from './middleware.ts'
import { listen, platformContext, type PlatformContext } from './platform.ts'

process.on('unhandledRejection', () => probe.unhandledRejections++)
const contexts = new AsyncLocalStorage<PlatformContext>()
;(globalThis as Record<symbol, unknown>)[Symbol.for('@vercel/request-context')] = { get: () => contexts.getStore() }

const fn = handle(adopted(process.env))
listen((request) => contexts.run(platformContext(request), fn, request))
