import type { DrainResult } from '../supervisor.ts'
import type { TaskEvent, TaskSource } from '../types.ts'
import type { Host } from './host.ts'
import type { ListenConfig } from './options.ts'
import type { Runtime } from './runtime.ts'

export interface Server extends TaskSource {
  /** Set once listening, e.g. `http://localhost:3000/`. */
  readonly url: string | undefined
  /** Tasks registered and not yet reported. */
  readonly pending: number
  /** Resolves once listening; rejects if it cannot listen. */
  ready(): Promise<Server>
  /** Stops accepting, lets in-flight responses finish, drains tasks up to `gracePeriod`, runs `onShutdown`. */
  close(): Promise<DrainResult>
}

/** `serve()` = `handle()` + listening + signals, the same on every runtime. */
export function startServer<S extends Server>(host: Host, listen: ListenConfig, runtime: Runtime, extra?: Omit<S, keyof Server>): S {
  let url: string | undefined
  const unsubscribe: Array<() => void> = []

  const listening = runtime.listen().then((address) => {
    url = address
    return server
  })
  // A failed listen surfaces through ready(); don't also make it an unhandled rejection.
  listening.catch(() => {})

  let closing: Promise<DrainResult> | undefined
  // host.close() runs at once, so the server refuses and counts from this very call
  // (a task settling a microtask later is one the drain completed); only stopping the
  // listener waits for it to have started.
  const close = (): Promise<DrainResult> =>
    (closing ??= host
      .close({ stop: () => listening.then(() => runtime.stop(), () => runtime.stop()), forceStop: () => runtime.forceStop() })
      .finally(() => unsubscribe.forEach((off) => off())))

  const onSignal = (): void => {
    if (closing) {
      // A second signal means "now": abandon (and so report) what is left instead of
      // letting the runtime's default handler kill the process with tasks unreported.
      runtime.forceStop()
      host.abandonNow()
      return
    }
    close().then(
      () => runtime.exit(0),
      (error: unknown) => {
        console.error('[finish-request] close failed:', error)
        runtime.exit(1)
      },
    )
  }
  for (const signal of listen.signals) unsubscribe.push(runtime.onSignal(signal, onSignal))

  const server = {
    ...extra,
    get url() {
      return url
    },
    get pending() {
      return host.pending
    },
    ready: () => listening,
    close,
    subscribe: (listener: (event: TaskEvent) => void) => host.subscribe(listener),
  } as unknown as S
  return server
}

/** `http://host:port/`, with a reachable name for wildcard hosts and brackets for IPv6. */
export function formatUrl(hostname: string | undefined, port: number, protocol = 'http'): string {
  const host = !hostname || hostname === '0.0.0.0' || hostname === '::' ? 'localhost' : hostname
  return `${protocol}://${host.includes(':') ? `[${host}]` : host}:${port}/`
}
