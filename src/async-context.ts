import type { RequestContext } from './context.ts'

/** The part of `node:async_hooks`' AsyncLocalStorage the core uses. */
export interface AsyncLocalStorageLike<T> {
  getStore(): T | undefined
  run<A extends unknown[], R>(store: T, fn: (...args: A) => R, ...args: A): R
}
export type AsyncLocalStorageClass = new <T>() => AsyncLocalStorageLike<T>

let storageClass: AsyncLocalStorageClass | undefined
let requests: AsyncLocalStorageLike<RequestContext> | undefined

/**
 * The core imports no runtime, so whoever can reach `node:async_hooks` hands its
 * AsyncLocalStorage over: the Node, Bun and Deno adapters at import, `worker()` on
 * its first request where workerd has the `nodejs_als` or `nodejs_compat` flag.
 */
export function useAsyncLocalStorage(cls: AsyncLocalStorageClass): void {
  storageClass ??= cls
}

/** Where it is a global (Vercel's edge, some runtimes) or a builtin reachable without import. */
function discover(): AsyncLocalStorageClass | undefined {
  const global = globalThis as { AsyncLocalStorage?: AsyncLocalStorageClass; process?: { getBuiltinModule?(id: string): unknown } }
  if (typeof global.AsyncLocalStorage === 'function') return global.AsyncLocalStorage
  try {
    const hooks = global.process?.getBuiltinModule?.('node:async_hooks') as { AsyncLocalStorage?: AsyncLocalStorageClass } | undefined
    return hooks?.AsyncLocalStorage
  } catch {
    return undefined
  }
}

/** Created on first use: workerd forbids some work at module scope, and most requests need none. */
function requestStorage(): AsyncLocalStorageLike<RequestContext> | undefined {
  if (requests) return requests
  storageClass ??= discover()
  return storageClass && (requests = new storageClass<RequestContext>())
}

let turnedOff = false

/** A server was started with `asyncContext: false`: the ctx-free forms' error says so. */
export function noteAsyncContextOff(): void {
  turnedOff = true
}

/** Whether some server in this process runs its requests outside the request storage. */
export function asyncContextTurnedOff(): boolean {
  return turnedOff
}

/** Whether the ctx-free forms can work here at all. */
export function hasAsyncContext(): boolean {
  return requestStorage() !== undefined
}

/**
 * Runs a request's handler so that code at any depth finds its context. The handler's
 * arguments are passed through, not closed over: no closure per request.
 */
export function runInRequest<A extends unknown[], R>(context: RequestContext, fn: (...args: A) => R, ...args: A): R {
  const storage = requestStorage()
  return storage ? storage.run(context, fn, ...args) : fn(...args)
}

/** The context of the request being handled, if any. */
export function currentRequest(): RequestContext | undefined {
  return requests?.getStore()
}
