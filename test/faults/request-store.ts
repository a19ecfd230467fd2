// The user's own request-scoped store, as logging and tracing libraries keep one: R6
// checks every task and every report sees the store of the request that registered it.
import { AsyncLocalStorage } from 'node:async_hooks'

export const requestStore = new AsyncLocalStorage<string>()
