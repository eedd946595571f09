/**
 * The `wngan` CLI as a user runs it: train on a small CIFAR-10 file, Ctrl-C (SIGINT) mid-run leaves a
 * checkpoint that `--resume` continues from; recon and sample read that checkpoint; bad input is a clear error.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let dir = '';
let cli = '';
beforeAll(async () => {
  // inside the project so that the bundle resolves its native dependencies from node_modules
  mkdirSync(resolve('node_modules/.cache'), { recursive: true });
  dir = mkdtempSync(resolve('node_modules/.cache/wngan-cli-'));
  cli = join(dir, 'wngan.mjs');
  await build({
    entryPoints: [resolve('src/cli/main.ts')], bundle: true, platform: 'node', format: 'esm', outfile: cli,
    external: ['webgpu', 'sharp'], loader: { '.wgsl': 'text' }, logLevel: 'silent',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  const rec = 3073;
  const buf = new Uint8Array(40 * rec);
  for (let i = 0; i < buf.length; i++) buf[i] = (i * 7 + (i >> 5)) & 255;
  writeFileSync(join(dir, 'data_batch_1.bin'), buf);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const small = ['--data', '', '--image-size', '16', '--width', '4', '--code-size', '8', '--batch', '4', '--final-test', '12', '--running-test', '8',
  '--recon-every', '1000', '--recon-steps', '2', '--sample-every', '1000', '--checkpoint-every', '1000'];
const args = (out: string, extra: string[]) => small.map((a, i) => (i === 1 ? join(dir, 'data_batch_1.bin') : a)).concat(['--out', out], extra);
const run = (a: string[]) => spawnSync(process.execPath, [cli, ...a], { encoding: 'utf8', timeout: 120_000 });

describe('wngan CLI', () => {
  it('Ctrl-C stops after the current iteration with a resumable checkpoint', async () => {
    const out = join(dir, 'run');
    const child = spawn(process.execPath, [cli, 'train', ...args(out, ['--iterations', '100000'])], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const log = join(out, 'log.jsonl');
    // wait for a few iterations to be logged, then interrupt like a user at the terminal
    for (let t = 0; t < 600 && !(existsSync(log) && readFileSync(log, 'utf8').split('\n').length > 3); t++) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code, stderr).toBe(0);
    const m = /stopped at iteration (\d+)/.exec(stderr);
    expect(m, stderr).toBeTruthy();
    const stoppedAt = Number(m![1]);
    expect(existsSync(join(out, 'last.safetensors'))).toBe(true);

    const resumed = run(['train', '--resume', join(out, 'last.safetensors'), '--iterations', String(stoppedAt + 2)]);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`finished at iteration ${stoppedAt + 2}`);
    const iters = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'train').map((e) => e.iter);
    expect(iters).toEqual(Array.from({ length: stoppedAt + 2 }, (_, i) => i + 1));

    const recon = run(['recon', '--checkpoint', join(out, 'last.safetensors'), '--split', 'running', '--steps', '2', '--json', '--png', join(out, 'recon.png')]);
    expect(recon.status, recon.stderr).toBe(0);
    const r = JSON.parse(recon.stdout.split('\n')[0]);
    expect(r.images).toBe(8);
    expect(r.msePerPixel).toBeGreaterThan(0);
    expect(existsSync(join(out, 'recon.png'))).toBe(true);
    const sample = run(['sample', '--checkpoint', join(out, 'last.safetensors'), '--out', join(out, 's.png'), '--count', '9']);
    expect(sample.status, sample.stderr).toBe(0);
    expect(existsSync(join(out, 's.png'))).toBe(true);
  });

  it('bad input gets a clear error naming the problem', () => {
    const missing = run(['train', ...args(join(dir, 'bad'), ['--iterations', '1']).map((a) => (a.endsWith('data_batch_1.bin') ? join(dir, 'nope.bin') : a))]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/nope\.bin.*not found/);
    const norm = run(['train', ...args(join(dir, 'bad2'), ['--norm', 'layer'])]);
    expect(norm.stderr).toMatch(/norm must be one of none, batch, weight, weight-affine, got 'layer'/);
    const opt = run(['train', '--bogus', '1']);
    expect(opt.stderr).toMatch(/unknown option --bogus/);
    const notCkpt = run(['recon', '--checkpoint', join(dir, 'data_batch_1.bin')]);
    expect(notCkpt.status).toBe(1);
    expect(notCkpt.stderr).toContain('data_batch_1.bin');
  });

  it('a checkpoint that does not match the model is refused with every mismatch named', () => {
    const a = join(dir, 'ckpt-a');
    expect(run(['train', ...args(a, ['--iterations', '1'])]).status).toBe(0);
    // rewrite the config in the checkpoint's metadata so the model built from it is wider than its tensors
    const path = join(a, 'last.safetensors');
    const bytes = readFileSync(path);
    const n = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
    const cfg = JSON.parse(header.__metadata__.config);
    header.__metadata__.config = JSON.stringify({ ...cfg, baseWidth: 8 });
    let h = Buffer.from(JSON.stringify(header));
    h = Buffer.concat([h, Buffer.alloc((8 - (h.length % 8)) % 8, 0x20)]);
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(h.length));
    writeFileSync(join(a, 'wider.safetensors'), Buffer.concat([len, h, bytes.subarray(8 + n)]));
    const r = run(['sample', '--checkpoint', join(a, 'wider.safetensors'), '--out', join(a, 'x.png')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('wider.safetensors');
    expect(r.stderr).toMatch(/G\.main\.0\.weight.*shape/s);
  });
});
