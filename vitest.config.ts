import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/support/global-azurite.ts'],
    setupFiles: ['tests/support/no-stray-console.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './tests/support/summary-reporter.ts'],
    env: { RISKOPS_ENVIRONMENT: 'test' },
  },
});
