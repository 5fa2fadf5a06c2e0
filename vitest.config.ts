import { defineConfig } from 'vitest/config';

// Unit tests sit next to the code (src/**/*.test.ts); end-to-end tests that start real
// peers (moto, the OIDC issuer, the GitHub double, tofu) live in test/e2e.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'src/**/*.test.ts',
            'actions/*/src/**/*.test.ts',
            'scripts/**/*.test.ts',
            'test/support/**/*.test.ts',
          ],
        },
      },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'] } },
      // Measurements, not tests: run on demand with `npm run bench:engine`.
      { extends: true, test: { name: 'bench', include: ['bench/**/*.test.ts'] } },
    ],
  },
});
