import type { Host } from './host.ts'
import type { DrainResult } from './supervisor.ts'
import type { TaskSource } from './types.ts'

/** What an adapter knows how to do with its runtime's server and process. */
export interface Listener {
  /** Starts listening; resolves with the server's URL. */
  listen(): Promise<string>
  /** Stops accepting; resolves when in-flight responses have finished. */
  stop(): Promise<void>
  /** Cuts connections still open after the grace period. */
  forceStop(): void
  /** Subscribes to a process signal; returns the unsubscribe. */
  onSignal(signal: string, handler: () => void): () => void
  exit(code: number): void
}

export interface Server extends TaskSource {
  /** Set once listening, e.g. `http://localhost:3000/`. */
  readonly url: string | undefined
  /** Tasks registered and not yet reported. */
  readonly pending: number
  ready(): Promise<Server>
  /** Stops accepting, lets in-flight responses finish, drains tasks up to `gracePeriod`. */
  close(): Promise<DrainResult>
}

export function startServer<Env>(host: Host<Env>, listener: Listener): Server {
  let url: string | undefined
  let closing: Promise<DrainResult> | undefined
  const unsubscribe: Array<() => void> = []

  const listening = listener.listen().then((address) => {
    url = address
    return server
  })
  // A failed listen surfaces through ready(); don't also make it an unhandled rejection.
  listening.catch(() => {})

  const close = (): Promise<DrainResult> =>
    (closing ??= (async () => {
      host.closing = true
      const { supervisor } = host
      supervisor.announceClosing()
      const before = { completed: supervisor.completed, abandoned: supervisor.abandoned }
      const deadline = performance.now() + host.gracePeriod
      await listening.catch(() => {})
      await beforeDeadline(listener.stop(), deadline)
      listener.forceStop()
      await supervisor.drain(deadline)
      for (const off of unsubscribe) off()
      return {
        completed: supervisor.completed - before.completed,
        abandoned: supervisor.abandoned - before.abandoned,
      }
    })())

  const onSignal = (): void => {
    if (closing) {
      // A second signal means "now": abandon (and so report) what is left instead of
      // letting the runtime's default handler kill the process with tasks unreported.
      listener.forceStop()
      host.supervisor.abandonAll()
      return
    }
    close().then(
      () => listener.exit(0),
      (error: unknown) => {
        console.error('[finish-request] close failed:', error)
        listener.exit(1)
      },
    )
  }

  for (const signal of host.signals) {
    unsubscribe.push(listener.onSignal(signal, onSignal))
  }

  const server: Server = {
    get url() {
      return url
    },
    get pending() {
      return host.supervisor.pending
    },
    ready: () => listening,
    close,
    subscribe: (listener) => host.supervisor.subscribe(listener),
  }
  return server
}

async function beforeDeadline(work: Promise<void>, deadline: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const wait = Math.max(0, deadline - performance.now())
  await Promise.race([work.catch(() => {}), new Promise<void>((resolve) => (timer = setTimeout(resolve, wait)))])
  clearTimeout(timer)
}

/** `http://host:port/`, with a reachable name for wildcard hosts and brackets for IPv6. */
export function formatUrl(hostname: string | undefined, port: number, protocol = 'http'): string {
  const host = !hostname || hostname === '0.0.0.0' || hostname === '::' ? 'localhost' : hostname
  return `${protocol}://${host.includes(':') ? `[${host}]` : host}:${port}/`
}
