// Bundles one probe of bench/probes (TypeScript) to dist/bench/probes/<name>.mjs with the bench build options.
import { build } from 'esbuild';
import { wgslEsbuildPlugin } from '../../scripts/wgsl-loader.mjs';

const name = process.argv[2];
if (!name) throw new Error('usage: node bench/probes/build-probe.mjs <probe name>');
await build({
  bundle: true, format: 'esm', plugins: [wgslEsbuildPlugin()], logLevel: 'warning', target: 'es2022', platform: 'node',
  external: ['webgpu', 'sharp'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  entryPoints: { [`bench/probes/${name}`]: `bench/probes/${name}.ts` }, outdir: 'dist', outExtension: { '.js': '.mjs' },
});
