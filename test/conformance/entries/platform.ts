// What a serverless platform's runtime does around a function, for the Vercel and Netlify
// entries: a real HTTP server (Node's, through @hono/node-server) that calls the function
// per request with the platform's own request context, whose waitUntil(promise) keeps
// the function alive until the promise settles. Every promise handed to it is recorded.
import { serve } from '@hono/node-server'
import { record } from '../app.ts'

export interface PlatformContext {
  waitUntil(promise: Promise<unknown>): void
}

/** A fresh context per request, as the platforms give one; its promises are awaited and counted. */
export function platformContext(request: Request): PlatformContext {
  return {
    waitUntil(promise) {
      if (promise === null || typeof promise !== 'object' || typeof promise.then !== 'function') {
        throw new TypeError('waitUntil can only be called with a Promise')
      }
      const id = new URL(request.url).searchParams.get('id') ?? undefined
      // A platform keeps the invocation alive until the promise settles; it must never reject.
      promise.then(
        () => record('platform-wait-until', { id, settled: 'fulfilled' }),
        () => record('platform-wait-until', { id, settled: 'rejected' }),
      )
    },
  }
}

export function listen(fetch: (request: Request) => Response | Promise<Response>): void {
  serve({ fetch: (request) => fetch(request), port: 0, hostname: '127.0.0.1' }, ({ port }) =>
    record('listening', { url: `http://127.0.0.1:${port}/`, version: process.versions.node }),
  )
}
