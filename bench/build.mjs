// Builds benchmark bundles only (dist/bench/<name>.mjs), with the options of ../build.mjs, without clearing
// dist/ or building the rest, so a bench runs even while unrelated sources are mid-edit. The bench:* npm
// scripts use it: `node bench/build.mjs train-step` builds that one (no argument: all of them). Messages go
// to stderr only, so a bench's stdout is its JSON alone. TensorFlow.js stays external (node_modules).
import { build } from 'esbuild';
import { wgslEsbuildPlugin } from '../scripts/wgsl-loader.mjs';

const entries = { kernels: 'bench/kernels.ts', 'train-step': 'bench/train-step.ts', recon: 'bench/recon.ts', peer: 'bench/peer.ts' };
const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(entries);
for (const n of names) if (!(n in entries)) throw new Error(`bench/build.mjs: unknown bench '${n}' (${Object.keys(entries).join(', ')})`);

const t0 = performance.now();
await build({
  bundle: true,
  format: 'esm',
  sourcemap: true,
  plugins: [wgslEsbuildPlugin()],
  logLevel: 'warning',
  target: 'es2022',
  platform: 'node',
  external: ['webgpu', 'sharp', '@tensorflow/*'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  entryPoints: Object.fromEntries(names.map((n) => [`bench/${n}`, entries[n]])),
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
});
process.stderr.write(`built ${names.map((n) => `dist/bench/${n}.mjs`).join(', ')} in ${Math.round(performance.now() - t0)} ms\n`);
