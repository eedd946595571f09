/**
 * `wngan classifier train` and `wngan fid` as a user runs them, on a tiny labelled CIFAR-10 file: both print
 * numbers, and bad input (no labels, another image size, the wrong kind of file) is a clear error.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { wgslEsbuildPlugin } from '../scripts/wgsl-loader.mjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let dir = '';
let cli = '';
let data = '';
beforeAll(async () => {
  // inside the project so that the bundle resolves its native dependencies from node_modules
  mkdirSync(resolve('node_modules/.cache'), { recursive: true });
  dir = mkdtempSync(resolve('node_modules/.cache/wngan-cli-quality-'));
  cli = join(dir, 'wngan.mjs');
  await build({
    entryPoints: [resolve('src/cli/main.ts')], bundle: true, platform: 'node', format: 'esm', outfile: cli,
    external: ['webgpu', 'sharp'], plugins: [wgslEsbuildPlugin()], logLevel: 'silent',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  // 60 CIFAR-10 records: label r % 10, a brightness that depends on the label, some texture
  const rec = 3073;
  const buf = new Uint8Array(60 * rec);
  for (let r = 0; r < 60; r++) {
    buf[r * rec] = r % 10;
    for (let i = 1; i < rec; i++) buf[r * rec + i] = (20 * (r % 10) + ((i * 7 + r) & 31)) & 255;
  }
  data = join(dir, 'data_batch_1.bin');
  writeFileSync(data, buf);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (a: string[]) => spawnSync(process.execPath, [cli, ...a], { encoding: 'utf8', timeout: 300_000 });
const classifierArgs = (out: string, size = 16) =>
  ['classifier', 'train', '--data', data, '--image-size', String(size), '--iterations', '5', '--batch', '8', '--final-test', '12', '--out', out];

describe('wngan classifier / fid', () => {
  it('trains a classifier, then measures FD and KID of a GAN checkpoint with it', () => {
    const gan = join(dir, 'run');
    const train = run(['train', '--data', data, '--image-size', '16', '--width', '4', '--code-size', '8', '--batch', '4', '--final-test', '12',
      '--running-test', '8', '--iterations', '2', '--recon-every', '1000', '--recon-steps', '2', '--sample-every', '1000', '--checkpoint-every', '1000', '--out', gan]);
    expect(train.status, train.stderr).toBe(0);

    const c = join(dir, 'c.safetensors');
    const cls = run(classifierArgs(c));
    expect(cls.status, cls.stderr).toBe(0);
    expect(cls.stdout).toMatch(/test accuracy \d+\.\d\d% on the 12 held-out images \(split seed 1\); 5 iterations in/);

    const fid = run(['fid', '--checkpoint', join(gan, 'last.safetensors'), '--classifier', c, '--n', '16', '--json']);
    expect(fid.status, fid.stderr).toBe(0);
    const r = JSON.parse(fid.stdout.trim().split('\n').pop()!);
    expect(r).toMatchObject({ n: 16, real: 12, iteration: 2, kidSubsets: 100, kidSubsetSize: 12 });
    for (const k of ['fd', 'kid', 'kidStd', 'kidStderr', 'classifierAccuracy']) expect(Number.isFinite(r[k]), k).toBe(true);
    expect(r.fd).toBeGreaterThan(0);

    const text = run(['fid', '--checkpoint', join(gan, 'last.safetensors'), '--classifier', c, '--n', '16', '--kid-subsets', '5']);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/FD \d+\.\d{4} {3}KID -?\d\.\d{4}e[-+]\d+ ± \d\.\d\de[-+]\d+ \(standard error; std .* over 5 subsets of 12\)/);
    expect(text.stdout).toMatch(/classifier .*c\.safetensors: 128 features, test accuracy \d+\.\d\d%/);

    // a classifier for another image size is refused before any work
    const c8 = join(dir, 'c8.safetensors');
    expect(run(classifierArgs(c8, 8)).status).toBe(0);
    const size = run(['fid', '--checkpoint', join(gan, 'last.safetensors'), '--classifier', c8]);
    expect(size.status).toBe(1);
    expect(size.stderr).toMatch(/fid: the classifier .*c8\.safetensors takes 8px images but the GAN .*last\.safetensors makes 16px; train one with --image-size 16/);
    const swapped = run(['fid', '--checkpoint', join(gan, 'last.safetensors'), '--classifier', join(gan, 'last.safetensors')]);
    expect(swapped.status).toBe(1);
    expect(swapped.stderr).toMatch(/last\.safetensors: not a wngan classifier \(it is a GAN checkpoint/);
  });

  it('bad input gets a clear error', async () => {
    const folder = join(dir, 'pictures');
    mkdirSync(folder);
    for (const name of ['a.png', 'b.png', 'c.png']) await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).png().toFile(join(folder, name));
    const noLabels = run(['classifier', 'train', '--data', folder, '--image-size', '8', '--final-test', '1', '--out', join(dir, 'x.safetensors')]);
    expect(noLabels.status).toBe(1);
    expect(noLabels.stderr).toMatch(/pictures.*no class labels; the classifier \(and so FD\/KID\) needs a labelled data set/);

    const idx = join(dir, 'idx');
    mkdirSync(idx);
    const images = new Uint8Array(16 + 3 * 784);
    new DataView(images.buffer).setUint32(0, 0x803);
    [3, 28, 28].forEach((d, i) => new DataView(images.buffer).setUint32(4 + 4 * i, d));
    writeFileSync(join(idx, 'train-images-idx3-ubyte'), images);
    const missing = run(['classifier', 'train', '--data', join(idx, 'train-images-idx3-ubyte'), '--final-test', '1', '--out', join(dir, 'x.safetensors')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/idx\/train-labels-idx1-ubyte\.gz: labels file not found/);

    const cases: [string[], RegExp][] = [
      [['classifier', 'train', '--image-size', '12', '--out', join(dir, 'x.safetensors')], /--image-size must be a multiple of 8, got 12/],
      [['classifier', 'train'], /--out is required/],
      [['classifier', 'fit'], /classifier: unknown subcommand 'fit' \(the only one is 'train'\)/],
      [['classifier', 'train', '--out', join(dir, 'no-such-dir', 'c.safetensors')], /--out .*c\.safetensors: the folder .*no-such-dir does not exist/],
      [['fid', '--checkpoint', join(dir, 'nope.safetensors'), '--classifier', join(dir, 'c.safetensors')], /--checkpoint .*nope\.safetensors: not found/],
      [['fid', '--checkpoint', data, '--classifier', data], /data_batch_1\.bin/],
      [['fid', '--n', '1', '--checkpoint', data, '--classifier', data], /--n must be an integer from 2 to/],
    ];
    for (const [args, message] of cases) {
      const r = run(args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(message);
    }
  });
});
