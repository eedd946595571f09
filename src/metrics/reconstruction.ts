/**
 * The paper's reconstruction metric (R1 and R2 alike): for each batch of held-out images, start from
 * z = 0, freeze G in eval mode, and minimise MSE(G(z), x) over z with RMSprop (lr 0.01, alpha 0.9,
 * eps 1e-6, fresh state per batch; no momentum, clipping or prior). Report the MSE at the final z, per
 * pixel per channel on the [0,1] scale, averaged over images (per-image squared distance = that × 3·H·W).
 */
import type { Module } from '../nn/module.js';
import { tensor, type Tensor } from '../tensor/tensor.js';
import { keep, tidy } from '../tensor/scope.js';
import { backward } from '../autograd/backward.js';
import { noGrad } from '../autograd/tape.js';
import { full, square, sub } from '../ops/elementwise.js';
import { mean } from '../ops/reduce.js';
import { mse } from '../ops/loss.js';
import { RMSprop } from '../optim/optimizer.js';

export interface ReconOptions {
  codeSize: number;
  /** optimisation steps per batch (50 for the paper's running test) */
  steps: number;
  batchSize?: number;
  lr?: number;
  alpha?: number;
  eps?: number;
  /** keep the reconstructions (for a PNG grid) */
  keepImages?: boolean;
  /** called after each batch with the number of images done */
  onBatch?: (done: number, total: number) => void;
}

export interface ReconResult {
  /** mean squared error per pixel per channel, [0,1] scale, averaged over images */
  mse: number;
  /** the same per image */
  perImage: Float32Array;
  /** mean per-image squared distance (= mse · 3·H·W) */
  perImageSquaredDistance: number;
  reconstructions?: Float32Array;
}

/** `loadImages(start, count)` returns count images NCHW in [0,1] from the held-out set. */
export async function reconstructionError(
  G: Module,
  count: number,
  loadImages: (start: number, n: number) => Promise<Float32Array>,
  imageShape: [number, number, number],
  o: ReconOptions,
): Promise<ReconResult> {
  const B = o.batchSize ?? 32;
  const [C, H, W] = imageShape;
  const per = C * H * W;
  const perImage = new Float32Array(count);
  const recon = o.keepImages ? new Float32Array(count * per) : undefined;
  const wasTraining = G.training;
  const params = G.parameters();
  const hadGrad = params.map((p) => p.tensor.requiresGrad);
  G.eval().requiresGrad(false);
  try {
    for (let start = 0; start < count; start += B) {
      const n = Math.min(B, count - start);
      const x = keep(tensor(await loadImages(start, n), [n, C, H, W]));
      const z = keep(full([n, o.codeSize], 0));
      z.requiresGrad = true;
      const opt = new RMSprop([{ name: 'z', tensor: z }], { lr: o.lr ?? 0.01, alpha: o.alpha ?? 0.9, eps: o.eps ?? 1e-6 });
      for (let s = 0; s < o.steps; s++) {
        tidy(() => {
          const l = mse(G.forward(z), x);
          opt.zeroGrad();
          backward(l);
          opt.step();
        });
        z.rt.flush();
      }
      const [errs, imgs] = tidy(() =>
        noGrad(() => {
          const y = G.forward(z);
          return [mean(square(sub(y, x)), [1, 2, 3]), y] as [Tensor, Tensor];
        }),
      );
      perImage.set(await errs.read(), start);
      if (recon) recon.set(await imgs.read(), start * per);
      for (const t of [errs, imgs, x, z]) t.dispose();
      opt.dispose();
      o.onBatch?.(start + n, count);
    }
  } finally {
    G.train(wasTraining);
    params.forEach((p, i) => (p.tensor.requiresGrad = hadGrad[i]));
  }
  let total = 0;
  for (const e of perImage) total += e;
  const m = total / Math.max(1, count);
  return { mse: m, perImage, perImageSquaredDistance: m * per, reconstructions: recon };
}
