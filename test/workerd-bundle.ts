// Bundles a worker entry as wrangler does (workerd's export conditions, node:* and
// cloudflare:* left to the runtime), for Miniflare's `modules` or, as one text, `script` option.
import { build } from 'esbuild'

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
