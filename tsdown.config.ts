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
    bullmq: 'adapters/bullmq.ts',
    hono: 'adapters/hono.ts',
    express: 'adapters/express.ts',
    fastify: 'adapters/fastify.ts',
    otel: 'adapters/otel.ts',
  },
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  dts: true,
  clean: true,
  // hono, bullmq, ioredis and @opentelemetry/api are the user's (peers), @hono/node-server a
  // dependency, and express and fastify the user's framework (only their types are
  // referenced): none is bundled.
  deps: { neverBundle: [/^hono(\/|$)/, /^@hono\//, /^node:/, /^bullmq(\/|$)/, /^ioredis(\/|$)/, /^express(\/|$)/, /^fastify(\/|$)/, /^@opentelemetry\//] },
})
