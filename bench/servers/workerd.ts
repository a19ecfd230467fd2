// Runs one worker of bench/workers/ on workerd through Miniflare: bundles it with
// esbuild (in memory), starts it on 127.0.0.1, announces the URL, and disposes workerd
// on SIGTERM. Usage: node --import tsx bench/servers/workerd.ts bare|timer|after|hono
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import { announce, HOST } from './announce.ts'

const variant = process.argv[2] ?? 'bare'
const bundle = await build({
  entryPoints: [fileURLToPath(new URL(`../workers/${variant}.ts`, import.meta.url))],
  write: false,
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  conditions: ['workerd', 'worker', 'browser'],
  external: ['node:*', 'cloudflare:*'],
  logLevel: 'error',
})

const mf = new Miniflare({
  modules: [{ type: 'ESModule', path: 'worker.js', contents: bundle.outputFiles[0]!.text }],
  compatibilityDate: '2025-09-01',
  compatibilityFlags: ['nodejs_compat'],
  host: HOST,
  port: 0,
})
const url = await mf.ready
announce(url.href)

let stopping = false
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    void mf.dispose().finally(() => process.exit(0))
  })
}
