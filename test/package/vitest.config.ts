import { defineConfig } from 'vitest/config';

// The package consumer test (npm run test:package) runs on its own, after the others: it packs,
// installs and bundles, too heavy to share the cores with the GPU tests. `vitest run` does not
// pick it up (its name is *.spec.ts, the main config includes *.test.ts).
export default defineConfig({
  root: new URL('../../', import.meta.url).pathname,
  test: {
    include: ['test/package/**/*.spec.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 300_000,
    hookTimeout: 600_000,
  },
});
