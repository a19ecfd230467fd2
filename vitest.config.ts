import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/node/**/*.test.ts', 'test/conformance/**/*.test.ts', 'test/frameworks/**/*.test.ts', 'test/package/**/*.test.ts', 'test/durable/**/*.test.ts', 'test/otel/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
})
