// Runs honojs/node-server's own tests from a copy of its checkout (PARITY_COPY, made by
// run.ts). With PARITY_SHIM=1 their `../src/server` is shim-server.ts, so every server they
// build listens through finish-request's handle().listener; with PARITY_SHIM=0 it is their
// own, the baseline that tells our failures from the environment's.
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig, type Plugin } from 'vitest/config'

const copy = process.env.PARITY_COPY
if (!copy) throw new Error('PARITY_COPY is not set: run test/node-server-parity/run.ts')
const shim = fileURLToPath(new URL('./shim-server.ts', import.meta.url))

/** Their tests' import of `src/server` becomes the shim; everything else stays theirs. */
function serverShim(): Plugin {
  const tests = resolve(copy!, 'test') + '/'
  const server = resolve(copy!, 'src/server')
  return {
    name: 'node-server-parity-shim',
    enforce: 'pre',
    resolveId(source, importer) {
      if (!importer?.startsWith(tests) || !source.startsWith('.')) return null
      const target = resolve(dirname(importer), source).replace(/\.ts$/, '')
      return target === server ? shim : null
    },
  }
}

export default defineConfig({
  root: copy,
  plugins: process.env.PARITY_SHIM === '1' ? [serverShim()] : [],
  resolve: {
    alias: [
      // Our adapter imports @hono/node-server: give it the checkout's own source.
      { find: /^@hono\/node-server$/, replacement: resolve(copy, 'src/index.ts') },
      { find: /^parity-checkout\/(.*)$/, replacement: resolve(copy, 'src/$1.ts') },
    ],
  },
  test: {
    // As their own vitest.config.ts sets it up.
    environment: 'node',
    globals: true,
    setupFiles: [resolve(copy, 'test/setup.ts')],
    execArgv: ['--expose-gc'],
    testTimeout: 20_000,
  },
})
