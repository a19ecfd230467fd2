import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// The reliability suite (issue 5): `npm run test:faults`. Files run one at a time: each
// loads both cores, and two at once would measure each other.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/faults/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
