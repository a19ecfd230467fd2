import { defineConfig } from 'tsdown'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    testing: 'src/testing.ts',
    node: 'adapters/node.ts',
    bun: 'adapters/bun.ts',
    deno: 'adapters/deno.ts',
    cloudflare: 'adapters/cloudflare.ts',
    inspector: 'src/inspector/index.ts',
  },
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  dts: true,
  clean: true,
  // hono is the user's (a peer) and @hono/node-server a dependency: neither is bundled.
  deps: { neverBundle: [/^hono(\/|$)/, /^@hono\//, /^node:/] },
})
