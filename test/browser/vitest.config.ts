import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// The demo and the inspector in a real Chromium (Debian's, driven by playwright-core).
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/browser/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
