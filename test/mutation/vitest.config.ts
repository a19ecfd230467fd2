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
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
})
