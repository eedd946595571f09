/**
 * One full R1 training iteration of the DCGAN (D step, RMSprop, G step, RMSprop, slope clamps) against
 * PyTorch (fixtures by scripts/make_dcgan_fixture.py, float64, same weights and batch), for every norm.
 * Tolerance rtol 1e-4 (helpers/check.ts) except where the fixture's notes explain f32 noise: gradients that
 * are 0 in theory (conv biases right before a BatchNorm) and, after the first RMSprop step (which moves
 * every parameter by ≈ ±lr·3.16 whatever the gradient's size), elements whose gradient is that noise.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.js';
import { assertClose } from '../helpers/check.js';
import { decodeSafetensors, type SafeTensor } from '../../src/io/safetensors.js';
import { buildGan, disposeGan, trainIteration } from '../../src/train/gan.js';
import { DEFAULTS, type TrainConfig } from '../../src/train/config.js';
import { applyState } from '../../src/train/state.js';
import { tensor } from '../../src/tensor/tensor.js';
import { tidy } from '../../src/tensor/scope.js';
import { noGrad } from '../../src/autograd/tape.js';
import type { Norm } from '../../src/models/dcgan.js';

const f64 = (t: SafeTensor) => Array.from(t.data as Float64Array, Number);
const rms = (a: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((s, v) => s + v * v, 0) / Math.max(1, a.length));

describe('DCGAN iteration vs PyTorch', () => {
  useGpu();
  for (const norm of ['weight', 'batch', 'none', 'weight-affine'] as Norm[]) {
    it(`norm ${norm}`, async () => {
      const path = join(__dirname, '..', 'fixtures', 'dcgan', `dcgan_${norm}.safetensors`);
      const { tensors: T, metadata } = decodeSafetensors(new Uint8Array(readFileSync(path)), path);
      const cfg = JSON.parse(metadata!.config);
      const config: TrainConfig = { ...DEFAULTS, ...cfg, batchSize: cfg.batch, optimizer: 'rmsprop', lrD: 1e-4, lrG: 1e-4, alpha: 0.9, eps: 1e-6 };
      const gan = buildGan(config);
      const owners = { modules: { G: gan.G, D: gan.D } };
      // the fixture's weights, every name/shape/dtype checked against our model
      const weights = Object.fromEntries(Object.entries(T).filter(([k]) => k.startsWith('G.') || k.startsWith('D.')));
      applyState(owners, weights, path, false);

      gan.G.eval();
      const zEval = T['input.z_eval'];
      const gEval = tidy(() => noGrad(() => gan.G.forward(tensor(zEval.data as Float32Array, zEval.shape))));
      gan.G.train();
      assertClose(await gEval.read(), f64(T['expect.G_eval']), `${norm} G eval`);

      const zs = [T['input.z1'], T['input.z2']];
      const { lossD, lossG } = trainIteration(gan, T['input.x'].data as Float32Array, () => {
        const z = zs.shift()!;
        return tensor(z.data as Float32Array, z.shape);
      }, cfg.batch, cfg.imageSize);
      expect(await lossD.item()).toBeCloseTo(f64(T['expect.lossD'])[0], 5);
      expect(await lossG.item()).toBeCloseTo(f64(T['expect.lossG'])[0], 5);

      for (const [prefix, m] of [['D', gan.D], ['G', gan.G]] as const) {
        const grads = new Map<string, number[]>();
        const noiseOnly = new Set<string>();
        const maxGrad = Math.max(...m.parameters().map((p) => Math.max(...f64(T[`expect.grad${prefix}.${p.name}`]).map(Math.abs))));
        for (const p of m.parameters()) {
          const want = f64(T[`expect.grad${prefix}.${p.name}`]);
          grads.set(p.name, want);
          const got = await p.tensor.grad!.read();
          if (rms(want) < 1e-9 * maxGrad) {
            // zero in theory (a bias right before BatchNorm): only f32 noise, far below every real gradient
            expect(Math.max(...Array.from(got, Math.abs)), `${prefix}.${p.name} grad noise`).toBeLessThan(1e-5 * maxGrad);
            noiseOnly.add(p.name);
          } else assertClose(got, want, `${norm} grad ${prefix}.${p.name}`);
        }
        for (const [name, t] of m.stateDict()) {
          const want = f64(T[`expect.after.${prefix}.${name}`]);
          const got = await t.read();
          const g = grads.get(name);
          if (!g) {
            assertClose(got, want, `${norm} after ${prefix}.${name}`, norm === 'batch' && prefix === 'D' && name.endsWith('running_mean') ? 1e-3 : 1e-4);
            continue;
          }
          // RMSprop's first step is ≈ lr·sign(g)·3.16: elements whose gradient is below f32 resolution may step either way
          const gmax = Math.max(...g.map(Math.abs));
          const exact = noiseOnly.has(name) ? [] : Array.from(got, (_, i) => (Math.abs(g[i]) > 1e-4 * gmax ? i : -1)).filter((i) => i >= 0);
          assertClose(exact.map((i) => got[i]), exact.map((i) => want[i]), `${norm} after ${prefix}.${name}`);
          for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(2 * 3.17e-4);
        }
        for (const [n, owner, key] of m.namedCounters()) {
          expect(owner.counters.get(key), `${prefix}.${n}`).toBe(Number((T[`expect.after.${prefix}.${n}`].data as BigInt64Array)[0]));
        }
      }
      gan.G.eval();
      const after = tidy(() => noGrad(() => gan.G.forward(tensor(zEval.data as Float32Array, zEval.shape))));
      assertClose(await after.read(), f64(T['expect.after.G_eval']), `${norm} G eval after`, 1e-3);
      for (const t of [gEval, after, lossD, lossG]) t.dispose();
      disposeGan(gan);
    });
  }
});
