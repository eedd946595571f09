import { defineConfig } from 'vitest/config';
import { wgslVitePlugin } from './scripts/wgsl-loader.mjs';

export default defineConfig({
  // `import src from '../kernels/x.wgsl'` gives the text with its includes, as in the esbuild builds
  plugins: [wgslVitePlugin()],
  test: {
    include: ['test/**/*.test.ts'],
    // One Dawn device per worker; lavapipe uses both cores, so run test files one at a time.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
