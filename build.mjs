// Bundles with esbuild: the Node library, the CLI and the benchmarks (Dawn via the `webgpu` package), and
// a browser ES module that never imports `webgpu`. WGSL sources are inlined as strings, their //#include
// directives resolved (scripts/wgsl-loader.mjs). Then tsc writes the type declarations of both entries to
// dist/types (the package's `exports` point at them).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { wgslEsbuildPlugin } from './scripts/wgsl-loader.mjs';

rmSync('dist', { recursive: true, force: true });
const common = { bundle: true, format: 'esm', sourcemap: true, plugins: [wgslEsbuildPlugin()], logLevel: 'warning', target: 'es2022' };
const nodeOnly = ['webgpu', 'sharp'];
// esbuild's ESM output for Node needs `require` for the CommonJS bits of dependencies
const banner = { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" };

await Promise.all([
  build({ ...common, platform: 'node', external: nodeOnly, banner, entryPoints: { 'node/index': 'src/node.ts' }, outdir: 'dist', outExtension: { '.js': '.mjs' } }),
  build({ ...common, platform: 'node', external: nodeOnly, banner, entryPoints: { wngan: 'src/cli/main.ts' }, outdir: 'dist', outExtension: { '.js': '.mjs' } }),
  build({ ...common, platform: 'node', external: [...nodeOnly, '@tensorflow/*'], banner, entryPoints: { 'bench/kernels': 'bench/kernels.ts', 'bench/train-step': 'bench/train-step.ts', 'bench/recon': 'bench/recon.ts', 'bench/peer': 'bench/peer.ts' }, outdir: 'dist', outExtension: { '.js': '.mjs' } }),
  build({
    ...common,
    platform: 'browser',
    entryPoints: { 'browser/wngan': 'src/browser.ts' },
    outdir: 'dist',
    outExtension: { '.js': '.mjs' },
    // a browser bundle that pulled in Dawn or Node built-ins would be a bug: fail the build
    plugins: [...common.plugins, {
      name: 'no-node-in-browser',
      setup(b) {
        b.onResolve({ filter: /^(webgpu|sharp|node:.*|fs|path)$/ }, (a) => ({ errors: [{ text: `browser bundle must not import '${a.path}' (from ${a.importer})` }] }));
      },
    }],
  }),
]);
// declarations only (tsconfig.types.json); a type error fails the build
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.types.json'], { stdio: 'inherit' });
console.log('built dist/node/index.mjs, dist/browser/wngan.mjs, dist/types/{node,browser}.d.ts, dist/wngan.mjs, dist/bench/kernels.mjs');
