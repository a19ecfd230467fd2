import type { WaitUntilContext } from './types.ts'

/**
 * A request context some platforms publish for any library to find, as an object with
 * `get()` (the shape of TC39's AsyncContext.Variable) returning the current request's
 * `{ waitUntil }`: Next.js reads `@next/request-context`, and `@vercel/functions`'
 * `waitUntil` reads `@vercel/request-context`, which Vercel's runtime installs.
 */
interface PublishedContext {
  get?(): Partial<WaitUntilContext> | undefined
}

const NEXT = Symbol.for('@next/request-context')
const VERCEL = Symbol.for('@vercel/request-context')

/** The current request's context on Vercel or under Next.js, if there is one with a `waitUntil`. */
export function platformRequestContext(): WaitUntilContext | undefined {
  const global = globalThis as Record<symbol, PublishedContext | undefined>
  return usable(global[NEXT]) ?? usable(global[VERCEL])
}

function usable(published: PublishedContext | undefined): WaitUntilContext | undefined {
  if (published === undefined || typeof published.get !== 'function') return undefined
  const value = published.get()
  return value !== null && typeof value === 'object' && typeof value.waitUntil === 'function' ? (value as WaitUntilContext) : undefined
}
