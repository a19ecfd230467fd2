import type { DrainResult } from '../supervisor.ts'
import type { TaskSource } from '../types.ts'
import type { Host } from './host.ts'
import type { ListenConfig } from './options.ts'
import type { Runtime } from './runtime.ts'
import { closeOnSignals } from './signals.ts'
import { asTaskSource } from './task-source.ts'

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

  // Whether the caller handles a failed listen: otherwise it must not pass in silence.
  let awaited = false
  const address = formatUrl(listen.hostname, listen.port)
  const listening = runtime.listen().then(
    (actual) => {
      url = actual
      return server
    },
    (error: unknown) => {
      throw listenError(address, error)
    },
  )
  listening.catch((error: Error) => {
    if (awaited) return
    // Nobody called ready(): a server that never listens would otherwise leave the process
    // idling with exit code 0 (or exiting 0 once nothing else keeps it alive).
    console.error(`[finish-request] ${error.message} (await server.ready() to handle this yourself)`)
    runtime.exit(1)
  })

  let closing: Promise<DrainResult> | undefined
  // host.close() runs at once, so the server refuses and counts from this very call
  // (a task settling a microtask later is one the drain completed); only stopping the
  // listener waits for it to have started.
  const close = (): Promise<DrainResult> =>
    (closing ??= host
      .close({ stop: () => listening.then(() => runtime.stop(), () => runtime.stop()), forceStop: () => runtime.forceStop() })
      .finally(() => uninstall()))
  const abandonNow = (): void => {
    runtime.forceStop()
    host.abandonNow()
  }
  const uninstall = closeOnSignals(listen.signals, { close, abandonNow }, runtime, listen.abandonedExitCode)

  const server = asTaskSource(
    {
      ...extra,
      get url() {
        return url
      },
      ready: () => {
        awaited = true
        return listening
      },
      close,
    },
    host,
  ) as unknown as S
  return server
}

/** The runtime's own error, with the address it was about (EADDRINUSE names no port on Bun). */
function listenError(address: string, cause: unknown): Error {
  const reason = cause instanceof Error ? cause.message : String(cause)
  const error = new Error(`serve(app, options): cannot listen on ${address}: ${reason}`, { cause })
  // Kept so that `error.code === 'EADDRINUSE'` works as with the runtime's own error.
  const code = (cause as { code?: unknown } | null)?.code
  if (code !== undefined) Object.assign(error, { code })
  return error
}

/** `http://host:port/`, with a reachable name for wildcard hosts and brackets for IPv6. */
export function formatUrl(hostname: string | undefined, port: number, protocol = 'http'): string {
  const host = !hostname || hostname === '0.0.0.0' || hostname === '::' ? 'localhost' : hostname
  return `${protocol}://${host.includes(':') ? `[${host}]` : host}:${port}/`
}
