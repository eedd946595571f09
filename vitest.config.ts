import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// Mirror esbuild's text loader so `import src from '../kernels/x.wgsl'` works in tests.
const wgslAsText = {
  name: 'wgsl-as-text',
  transform(_code: string, id: string) {
    if (!id.endsWith('.wgsl')) return null;
    return { code: `export default ${JSON.stringify(readFileSync(id, 'utf8'))};`, map: null };
  },
};

export default defineConfig({
  plugins: [wgslAsText],
  test: {
    include: ['test/**/*.test.ts'],
    // One Dawn device per worker; lavapipe uses both cores, so run test files one at a time.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
