// Bundles a worker entry as wrangler does (workerd's export conditions, node:* and
// cloudflare:* left to the runtime), for Miniflare's `modules` or, as one text, `script` option.
import { PassThrough } from 'node:stream'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import { Served } from './conformance/harness.ts'

export async function bundleWorker(entryPath: string): Promise<Array<{ type: 'ESModule'; path: string; contents: string }>> {
  const bundle = await build({
    entryPoints: [entryPath],
    external: ['node:*', 'cloudflare:*'],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    target: 'es2022',
  })
  return [{ type: 'ESModule', path: 'worker.js', contents: bundle.outputFiles[0].text }]
}

/**
 * Serves a worker entry on workerd through Miniflare, on a free port, as a `Served` the
 * suites drive like any other runtime's process (`kill` disposes of workerd). Miniflare's
 * documented form for one bundled script: it refuses a module with a computed import()
 * (ERR_MODULE_DYNAMIC_SPEC), as the 0.1.0 worker entry had.
 */
export async function serveWorker(entryPath: string, compatibilityFlags: string[]): Promise<Served> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const mf = new Miniflare({
    modules: true,
    script: (await bundleWorker(entryPath))[0].contents,
    compatibilityDate: '2025-09-01',
    compatibilityFlags,
    host: '127.0.0.1',
    port: 0,
    handleRuntimeStdio(out: NodeJS.ReadableStream, err: NodeJS.ReadableStream) {
      out.pipe(stdout)
      err.pipe(stderr)
    },
  })
  let exit!: (value: { code: number | null; signal: null }) => void
  const exited = new Promise<{ code: number | null; signal: null }>((resolve) => (exit = resolve))
  const url = await mf.ready
  return new Served({ stdout, stderr, exited, kill: () => void mf.dispose().then(() => exit({ code: 0, signal: null })) }, url.href)
}
