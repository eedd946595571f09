/**
 * The paper's reconstruction metric (reconstructionError) against PyTorch in float64: fixtures by
 * scripts/make_recon_fixture.py, a 16 px DCGAN generator (width 8, z of 8) with norm 'batch' (eval-mode BN
 * with non-trivial running statistics) and 'weight', 40 images (a batch of 32 and a partial one of 8),
 * 20 RMSprop steps on z per batch (lr 0.01, alpha 0.9, eps 1e-6, z from 0, fresh state per batch).
 *
 * Tolerance: rtol 1e-4 in test/helpers/check.ts's sense (|got − want| ≤ rtol·(|want| + rms(want))) on the
 * final z, the reconstructions G(z) and the per-image errors, and 1e-4 relative on the MSE; the drop of the
 * error over the 20 steps (mse(z=0) − mse) to 1e-3 relative. Why these are tight and still safe:
 *   - f32 rounding: the fixture script reruns the metric in float32 (PyTorch CPU, same f32 inputs) and
 *     records its distance from float64 (metadata f32_check): ≤ 2e-7 on z, ≤ 1e-7 on the reconstructions
 *     and per-image errors, ≤ 3e-8 on the MSE. This engine on lavapipe (measured when the test was
 *     written): ≤ 4.5e-7 on z, ≤ 1e-7 on the reconstructions, ≤ 2.2e-7 on the per-image errors and the MSE,
 *     4e-7 on the drop. 1e-4 leaves over two orders of magnitude for GPUs whose exp/sigmoid are a few ULP
 *     less accurate (the project's usual rtol, helpers/check.ts).
 *   - a wrong optimiser: the same run with lr 1% off moves z by ≥ 2e-2, the per-image errors by ≥ 3e-3, the
 *     MSE by ≥ 3e-3, the drop by ≥ 6e-3 and the reconstructions by ≥ 5e-4 (f32_check; the engine itself
 *     with lr × 1.01 lands the same distances away), 5× to 200× above the tolerance; with lr 0.1% off z
 *     still moves by ≥ 1.2e-2. A wrong eps placement, alpha, z start, step count or batch split moves
 *     them further.
 *   - RMSprop's normalised steps: the first step from v = 0 is ≈ ±lr/sqrt(0.1) for every |g| ≫ eps, so it
 *     damps relative gradient errors instead of amplifying them, unless a gradient element is itself at
 *     f32 noise level. In these fixtures the smallest first-step |g| is ≥ 1e-3 of the largest (f32_check's
 *     min_rel_grad0), far above that; the images lie near G's range (G(z*) plus noise) so 20 steps reduce
 *     the error by a third (batch) to a half (weight): the comparison tests the optimisation, not G(0).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.js';
import { assertClose } from '../helpers/check.js';
import { decodeSafetensors, type SafeTensor } from '../../src/io/safetensors.js';
import { reconstructionError } from '../../src/metrics/reconstruction.js';
import { DcganGenerator, type Norm } from '../../src/models/dcgan.js';
import { applyState } from '../../src/train/state.js';
import { Rng } from '../../src/util/rng.js';

const RTOL = 1e-4;
const f64 = (t: SafeTensor) => Array.from(t.data as Float64Array, Number);

describe('reconstruction metric vs PyTorch (float64)', () => {
  useGpu();
  for (const norm of ['batch', 'weight'] as Norm[]) {
    it(`norm ${norm}: 40 images (32 + 8), 20 RMSprop steps`, async () => {
      const path = join(__dirname, '..', 'fixtures', 'recon', `recon_${norm}.safetensors`);
      const { tensors: T, metadata } = decodeSafetensors(new Uint8Array(readFileSync(path)), path);
      const cfg = JSON.parse(metadata!.config);
      expect(cfg.norm).toBe(norm);
      const S = cfg.imageSize as number;
      const per = 3 * S * S;
      const G = new DcganGenerator(new Rng(1), { imageSize: S, norm, codeSize: cfg.codeSize, baseWidth: cfg.baseWidth });
      const weights = Object.fromEntries(Object.entries(T).filter(([k]) => k.startsWith('G.')));
      expect(Object.keys(weights).length).toBe(G.stateDict().size + G.namedCounters().length);
      applyState({ modules: { G } }, weights, path, false);
      G.train(true);

      const x = T['input.x'].data as Float32Array;
      expect(x.length).toBe(cfg.count * per);
      const load = async (s: number, n: number) => x.slice(s * per, (s + n) * per);
      const mse = f64(T['expect.mse'])[0];
      const mse0 = f64(T['expect.mse_z0'])[0];
      // the fixture is meaningful: the steps reduce the error clearly
      expect(mse).toBeLessThan(0.8 * mse0);

      // 1: one 32-image problem at a time, as the paper's loop; undefined: the automatic super-batch
      for (const k of [1, undefined]) {
        const r = await reconstructionError(G, cfg.count, load, [3, S, S], {
          codeSize: cfg.codeSize, steps: cfg.steps, batchSize: cfg.batch, lr: cfg.lr, alpha: cfg.alpha, eps: cfg.eps,
          keepImages: true, keepLatents: true, groupsPerDispatch: k,
        });
        const label = `${norm}, groupsPerDispatch ${k ?? 'auto'}`;
        assertClose(r.latents!, f64(T['expect.z']), `${label}: final z`, RTOL);
        assertClose(r.reconstructions!, f64(T['expect.recon']), `${label}: reconstructions G(z)`, RTOL);
        assertClose(r.perImage, f64(T['expect.per_image']), `${label}: per-image MSE`, RTOL);
        expect(Math.abs(r.mse - mse) / mse, `${label}: MSE ${r.mse} vs ${mse}`).toBeLessThan(RTOL);
        expect(Math.abs(mse0 - r.mse - (mse0 - mse)) / (mse0 - mse), `${label}: improvement`).toBeLessThan(1e-3);
        expect(r.perImageSquaredDistance).toBeCloseTo(r.mse * per, 10);
      }
      // G is handed back as it was
      expect(G.training).toBe(true);
      G.dispose();
    });
  }
});
