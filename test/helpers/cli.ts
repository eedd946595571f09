/** The `wngan` CLI bundled for tests (inside the project, so that it resolves sharp and webgpu), and a small CIFAR-10 file. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { wgslEsbuildPlugin } from '../../scripts/wgsl-loader.mjs';

export interface Cli {
  dir: string;
  cli: string;
  data: string;
  /** flags of a tiny run on `data` (16 px, width 4, batch 4) */
  small: string[];
  run(args: string[], env?: Record<string, string>): ReturnType<typeof spawnSync> & { stdout: string; stderr: string };
  cleanup(): void;
}

export async function makeCli(prefix: string): Promise<Cli> {
  mkdirSync(resolve('node_modules/.cache'), { recursive: true });
  const dir = mkdtempSync(resolve(`node_modules/.cache/${prefix}-`));
  // WNGAN_TEST_CLI: test an already built bundle (e.g. dist/wngan.mjs) instead of bundling src/ here
  const cli = process.env.WNGAN_TEST_CLI ? resolve(process.env.WNGAN_TEST_CLI) : join(dir, 'wngan.mjs');
  if (!process.env.WNGAN_TEST_CLI) await build({
    entryPoints: [resolve('src/cli/main.ts')], bundle: true, platform: 'node', format: 'esm', outfile: cli,
    external: ['webgpu', 'sharp'], plugins: [wgslEsbuildPlugin()], logLevel: 'silent',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  const rec = 3073;
  const buf = new Uint8Array(40 * rec);
  for (let i = 0; i < buf.length; i++) buf[i] = (i * 7 + (i >> 5)) & 255;
  const data = join(dir, 'data_batch_1.bin');
  writeFileSync(data, buf);
  const small = ['--data', data, '--image-size', '16', '--width', '4', '--code-size', '8', '--batch', '4', '--final-test', '12', '--running-test', '8',
    '--recon-every', '1000', '--recon-steps', '2', '--sample-every', '1000', '--checkpoint-every', '1000'];
  return {
    dir, cli, data, small,
    run: (args, env = {}) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } }) as never,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
