import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { wgslEsbuildPlugin } from '../scripts/wgsl-loader.mjs';
import { describe, expect, it } from 'vitest';
import { useGpu } from './helpers/gpu.js';
import { tensor } from '../src/tensor/tensor.js';
import { keep, tidy } from '../src/tensor/scope.js';
import { KernelError } from '../src/gpu/kernel.js';
import { bucketSize } from '../src/gpu/buffer-pool.js';
import { add, full, relu } from '../src/ops/elementwise.js';
import { sum } from '../src/ops/reduce.js';
import { backward } from '../src/autograd/backward.js';
import { noGrad, tapeLength } from '../src/autograd/tape.js';
import { wnConv2d, wnConvTranspose2d } from '../src/ops/weight-norm.js';
import { tprelu } from '../src/ops/prelu.js';
import { batchNorm } from '../src/ops/batchnorm.js';
import { bce } from '../src/ops/loss.js';
import { RMSprop } from '../src/optim/optimizer.js';

describe('runtime', () => {
  const gpu = useGpu();

  it('reports the adapter with its real limits', () => {
    const a = gpu.rt().adapter;
    expect(a.description.length).toBeGreaterThan(0);
    expect(a.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 << 20);
    expect(gpu.rt().limits.maxComputeInvocationsPerWorkgroup).toBe(a.limits.maxComputeInvocationsPerWorkgroup);
  });

  it('takes the binding kinds from the WGSL, in binding order', () => {
    const code = `struct P { n: u32, s: f32 }
@group(0) @binding(2) var<storage, read_write> b: array<f32>;
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage> c: array<f32>;
@group(0) @binding(3) var<uniform> p: P;
@compute @workgroup_size(1) fn main() { b[0] = a[0] + c[0] * p.s + f32(p.n); }
@compute @workgroup_size(1) fn first() { _ = a[0]; }`;
    const rt = gpu.rt();
    const k = rt.kernel({ name: 'kinds', code });
    expect(k.bindings).toEqual(['read', 'read', 'read_write', 'uniform']);
    expect(k.uniformFields.map((f) => f.name)).toEqual(['n', 's']);
    // an entry point's layout has only the bindings it uses
    expect(rt.kernel({ name: 'kinds:first', code, entry: 'first' }).bindings).toEqual(['read']);
  });

  it('fails loudly at pipeline creation on bindings the runtime cannot bind, naming the kernel', () => {
    const rt = gpu.rt();
    const k = (name: string, decls: string, body: string) => () =>
      rt.kernel({ name, code: `${decls}\n@compute @workgroup_size(1) fn main() { ${body} }` });
    const a = '@group(0) @binding(0) var<storage, read> a: array<f32>;';
    expect(k('gap', `${a}\n@group(0) @binding(2) var<storage, read_write> b: array<f32>;`, 'b[0] = a[0];'))
      .toThrow(/kernel gap: bindings must be numbered 0\.\.1 without gaps; binding 1 is missing \(used: 0, 2\)/);
    expect(k('tex', `${a}\n@group(0) @binding(1) var t: texture_2d<f32>;`, '_ = a[0] + textureLoad(t, vec2<i32>(0, 0), 0).x;'))
      .toThrow(/kernel tex: binding 1 \(t\) is a Texture; only storage and uniform buffers are supported/);
    expect(k('uniform-first', `struct P { n: u32 }\n@group(0) @binding(0) var<uniform> p: P;\n@group(0) @binding(1) var<storage, read_write> b: array<f32>;`, 'b[0] = f32(p.n);'))
      .toThrow(/kernel uniform-first: the uniform must be the last binding/);
    expect(k('group1', '@group(1) @binding(0) var<storage, read_write> b: array<f32>;', 'b[0] = 1.0;')).toThrow(/kernel group1: .*only group 0/);
    const code = `${a}\n@group(0) @binding(1) var<storage, read_write> b: array<f32>;\n@compute @workgroup_size(1) fn main() { b[0] = a[0]; }`;
    expect(() => rt.kernel({ name: 'bad-entry', code, entry: 'nope' })).toThrow(KernelError);
    expect(() => rt.kernel({ name: 'bad-override', code }, { NOPE: 1 })).toThrow(/override 'NOPE'/);
  });

  it('reports WGSL compile errors with the kernel name at the next readback', async () => {
    const rt = gpu.rt();
    const code = `@group(0) @binding(0) var<storage, read_write> b: array<f32>;
@compute @workgroup_size(1) fn main() { b[0] = undefined_thing; }`;
    rt.kernel({ name: 'broken', code }); // parses for reflection; Dawn rejects it
    await expect(rt.sync()).rejects.toThrow(/kernel broken\| failed to compile: .*undefined_thing/s);
  });

  it('keys pipelines by overrides, not shapes', async () => {
    const rt = gpu.rt();
    const before = rt.pipelines.size;
    for (const n of [3, 17, 1000]) tidy(() => relu(full([n], -1)));
    await rt.sync();
    const afterRelu = rt.pipelines.size;
    expect(afterRelu - before).toBeLessThanOrEqual(2); // fill + relu at most (once)
    for (const n of [5, 6]) tidy(() => relu(full([n, 2], 1)));
    expect(rt.pipelines.size).toBe(afterRelu);
  });

  it('batches many dispatches into one submit', async () => {
    const rt = gpu.rt();
    await rt.sync();
    const s0 = rt.counters.submits;
    const d0 = rt.counters.dispatches;
    const y = tidy(() => {
      let x = full([64], 1);
      for (let i = 0; i < 100; i++) x = add(x, x);
      return sum(x);
    });
    expect(await y.item()).toBe(64 * 2 ** 100);
    expect(rt.counters.dispatches - d0).toBeGreaterThan(100);
    expect(rt.counters.submits - s0).toBe(1);
    y.dispose();
  });

  it('buckets buffer sizes', () => {
    expect(bucketSize(1)).toBe(256);
    expect(bucketSize(1000)).toBe(1024);
    expect(bucketSize((1 << 20) + 1)).toBe((1 << 20) + (1 << 18));
  });

  it('throws a clear error when a disposed tensor is used', () => {
    const t = tensor([1, 2], [2]);
    t.dispose();
    expect(() => relu(t)).toThrow(/used after it was disposed/);
  });

  it('gradients reach inputs (the latent z), accumulate, and noGrad records nothing', async () => {
    const z = tensor([1, -2, 3], [3]);
    z.requiresGrad = true;
    for (let k = 0; k < 2; k++) tidy(() => backward(sum(relu(z))));
    expect([...(await z.grad!.read())]).toEqual([2, 0, 2]);
    const n = tapeLength();
    tidy(() => noGrad(() => sum(relu(z))));
    expect(tapeLength()).toBe(n);
    z.dispose();
  });

  it('a few hundred forward/backward/step iterations leave the pool\'s live bytes unchanged', async () => {
    const rt = gpu.rt();
    const rnd = (shape: number[], s = 0.3) => keep(tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => (Math.random() * 2 - 1) * s), shape));
    const v1 = rnd([8, 3, 4, 4]);
    const a1 = keep(full([8], 0.25));
    const b1 = keep(full([8], 0));
    const v2 = rnd([8, 3, 4, 4]);
    const g2 = keep(full([3], 1));
    const be2 = keep(full([3], 0));
    const bg = keep(full([8], 1));
    const bb = keep(full([8], 0));
    const rm = keep(full([8], 0));
    const rv = keep(full([8], 1));
    const params = [v1, a1, b1, v2, g2, be2, bg, bb];
    for (const p of params) p.requiresGrad = true;
    const opt = new RMSprop(params.map((t, i) => ({ name: `p${i}`, tensor: t, bounds: t === a1 ? [0, 1] : undefined })), { lr: 1e-3 });
    const x = rnd([4, 3, 8, 8], 1);
    const target = keep(full([4, 3, 8, 8], 0.5));
    const step = () =>
      tidy(() => {
        const h = tprelu(batchNorm(wnConv2d(x, v1, null, null, { stride: 2, padding: 1 }), bg, bb, rm, rv, { training: true }), a1, b1);
        const y = wnConvTranspose2d(h, v2, g2, be2, { stride: 2, padding: 1 });
        const l = bce(relu(y), target);
        opt.zeroGrad();
        backward(l);
        opt.step();
        return l;
      });
    // one submit per training step, as the trainer does; no waiting in between
    const run = (n: number) => {
      for (let i = 0; i < n; i++) {
        step().dispose();
        rt.flush();
      }
    };
    // warm up: optimiser state and grads exist after the first steps
    run(3);
    await rt.sync();
    const live0 = rt.memory().liveBytes;
    const alloc0 = rt.memory().allocatedBytes;
    run(300);
    await rt.sync();
    expect(rt.memory().liveBytes).toBe(live0);
    expect(rt.memory().allocatedBytes).toBe(alloc0); // the pool reuses, it does not grow
    expect(tapeLength()).toBe(0);
    opt.dispose();
  });

  it('a Node process that starts and shuts down the engine exits on its own', async () => {
    // bundle a tiny script with the engine (Node 20 cannot run TypeScript directly), then run it with a deadline
    // inside the project so that the bundle resolves `webgpu` from node_modules
    mkdirSync(resolve('node_modules/.cache'), { recursive: true });
    const dir = mkdtempSync(resolve('node_modules/.cache/wngan-exit-'));
    const entry = join(dir, 'main.ts');
    writeFileSync(entry, `import { initNode, shutdown } from ${JSON.stringify(resolve('src/engine-node.ts'))};
const rt = await initNode(); console.log('ok', rt.adapter.description.length > 0); shutdown();`);
    await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: join(dir, 'main.mjs'), external: ['webgpu'], plugins: [wgslEsbuildPlugin()], logLevel: 'silent' });
    const r = spawnSync(process.execPath, [join(dir, 'main.mjs')], { encoding: 'utf8', timeout: 60_000, cwd: process.cwd() });
    rmSync(dir, { recursive: true, force: true });
    expect(r.signal, 'the process had to be killed: something kept it alive').toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('ok true');
  });
});
