// The hooks Bun and Deno servers pass to the app, read by P4 (heap after forced GCs):
// Bun collects with Bun.gc(true); Deno with gc(), exposed by --v8-flags=--expose-gc.
import type { AppHooks } from '../app.ts'

export { announce, HOST } from './announce.ts'

const runtime = globalThis as {
  gc?: () => void
  Bun?: { gc(full: boolean): void }
  Deno?: { memoryUsage(): { heapUsed: number } }
  process?: { memoryUsage(): { heapUsed: number } }
}
const collect = runtime.gc ?? (runtime.Bun ? () => runtime.Bun!.gc(true) : undefined)

export const runtimeHooks: AppHooks = {
  heapUsed: collect
    ? () => {
        collect()
        collect()
        return runtime.Deno ? runtime.Deno.memoryUsage().heapUsed : runtime.process!.memoryUsage().heapUsed
      }
    : undefined,
}
