import { defineConfig } from 'vitest/config';

/**
 * Three tiers, each runnable alone (`npm run test:unit`, `test:db`, `test:e2e`); `npm test` runs all.
 * - unit: pure logic and static checks; needs neither PostgreSQL, root nor a browser.
 * - db:   repositories and services against a real PostgreSQL (one server per run, a database per file).
 * - e2e:  the real API, real agents, real sockets in network namespaces (root) and headless Chromium.
 * A new test file lands in a tier by its name and place: `*.spec.ts` beside the code is unit,
 * `*.e2e.test.ts` and the agent's, web's and start-up suites are e2e, other `*.test.ts` are db.
 */
const E2E = ['**/*.e2e.test.ts', 'apps/agent/test/**/*.test.ts', 'apps/web/test/**/*.test.ts', 'test/start/**/*.test.ts'];
const UNIT_TESTS = ['test/docs/**/*.test.ts', 'test/deploy/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          // one module graph per worker, not per file: the files share no state (no mocks, fake
          // timers or environment changes), and re-importing NestJS and the protocol's schemas
          // for each of 75 files was most of the tier's time (41 s → 17 s at load average 2)
          isolate: false,
          include: ['packages/*/src/**/*.spec.ts', 'apps/*/src/**/*.spec.ts', 'scripts/**/*.spec.ts', ...UNIT_TESTS],
          exclude: ['**/node_modules/**', ...E2E],
        },
      },
      {
        extends: true,
        test: {
          name: 'db',
          include: ['apps/*/test/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/node_modules/**', ...E2E, ...UNIT_TESTS],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: E2E,
          exclude: ['**/node_modules/**'],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
