import { hasAsyncContext, useAsyncLocalStorage, type AsyncLocalStorageClass } from '../async-context.ts'

// Computed, so bundlers leave it alone: on workerd without the nodejs_als or
// nodejs_compat flag the module does not exist, and the code must still load (the ctx
// forms keep working without it).
const ASYNC_HOOKS = ['node', 'async_hooks'].join(':')
let loading: Promise<void> | undefined
let settled = false

/**
 * For modules that must load on every runtime (the Hono middleware): finds
 * AsyncLocalStorage on first use, by importing `node:async_hooks` where it exists.
 * Resolves either way; `ready()` then tells whether it is settled, so later requests
 * skip the await.
 */
export function loadAsyncHooks(): Promise<void> {
  return (loading ??= (hasAsyncContext() ? Promise.resolve() : import(/* @vite-ignore */ ASYNC_HOOKS)).then(
    (hooks?: { AsyncLocalStorage: AsyncLocalStorageClass }) => {
      if (hooks?.AsyncLocalStorage) useAsyncLocalStorage(hooks.AsyncLocalStorage)
      settled = true
    },
    () => {
      settled = true
    },
  ))
}

export function asyncHooksSettled(): boolean {
  return settled
}
