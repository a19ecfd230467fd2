// What finish-request/hono adds to a Worker, bundled as wrangler bundles one (workerd's
// export conditions, node:* left to the runtime): no node: module it would need a flag
// for, and a size the README states.
import { gzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))

async function bundle(source: string): Promise<string> {
  const result = await build({
    stdin: { contents: source, resolveDir: root, loader: 'js' },
    bundle: true,
    write: false,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    external: ['node:*', 'cloudflare:*'],
    target: 'es2022',
  })
  return result.outputFiles[0].text
}

describe('finishRequest() in a Worker bundle', () => {
  it('imports no node: module (node:async_hooks is looked up at run time, where a flag provides it)', async () => {
    const code = await bundle(`export { finishRequest } from 'finish-request/hono'`)
    expect(code).not.toMatch(/\bfrom\s*"node:|\bimport\s*"node:|require\("node:/)
  })

  it('adds under 22 kB minified, under 7.5 kB gzipped, to a Hono app (the README states 20 kB and 6.8 kB)', async () => {
    const bare = await bundle(`import { Hono } from 'hono'; export default new Hono().get('/', (c) => c.text('ok'))`)
    const adopted = await bundle(
      `import { Hono } from 'hono'; import { finishRequest } from 'finish-request/hono'; export default new Hono().use(finishRequest()).get('/', (c) => c.text('ok'))`,
    )
    const added = { minified: adopted.length - bare.length, gzipped: gzipSync(adopted).length - gzipSync(bare).length }
    console.log(`finishRequest() adds ${added.minified} B minified, ${added.gzipped} B gzipped`)
    expect(added.minified).toBeLessThan(22_000)
    expect(added.gzipped).toBeLessThan(7_500)
  })
})
