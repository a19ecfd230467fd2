// Mutation testing (`npm run test:mutation`, not in CI: it takes minutes). Stryker
// changes the core one small thing at a time and runs the fast tests against each
// change; a change no test notices is a gap in the suite. Score and survivors: test/MUTATION.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'test/mutation/vitest.config.ts' },
  // The core and what serve(), handle() and worker() share. The inspector
  // (src/inspector/) and durable jobs (src/durable/) are held by suites that need a
  // browser or Redis; widen with `npm run test:mutation -- --mutate 'src/inspector/*.ts'`.
  mutate: [
    'src/*.ts',
    'src/host/*.ts',
    // Types and re-exports only: nothing to mutate that could run.
    '!src/types.ts',
    '!src/index.ts',
  ],
  // Not copied into the sandbox: other runtimes, builds, and suites it does not run.
  ignorePatterns: ['.runtimes', 'dist', '.test-results', 'bench', 'examples', 'test/conformance', 'test/faults', 'test/package'],
  // Each mutant runs only the tests that reached its code.
  coverageAnalysis: 'perTest',
  // Later runs only re-test mutants whose code or tests changed.
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  // A mutant that hangs a test (a drain that never ends) is a kill. Vitest fails such a
  // test after 3 s (test/mutation/vitest.config.ts), cheaper than Stryker restarting a
  // runner, so Stryker's own margin is only for loops that never yield.
  timeoutMS: 5000,
  // The machine is shared: two test processes at most.
  concurrency: 2,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
}
