import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// What `npm run test:mutation` runs against each mutant: the unit tests and the
// in-process Node tests, which import the sources directly and take seconds. The
// conformance, package and fault suites start processes from the built package, so a
// mutant of src/ would never reach them.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/unit/**/*.test.ts', 'test/node/**/*.test.ts'],
    // It imports the built package (finish-request/bullmq), which no mutant of src/ reaches.
    exclude: ['test/unit/durable-options.test.ts'],
    // Every test here takes well under a second; a mutant that hangs one fails it fast.
    testTimeout: 3_000,
    hookTimeout: 3_000,
  },
})
