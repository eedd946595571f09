/**
 * The paper's reconstruction metric (R1 and R2 alike): for each batch of held-out images, start from
 * z = 0, freeze G in eval mode, and minimise MSE(G(z), x) over z with RMSprop (lr 0.01, alpha 0.9,
 * eps 1e-6, fresh state per batch; no momentum, clipping or prior). Report the MSE at the final z, per
 * pixel per channel on the [0,1] scale, averaged over images (per-image squared distance = that × 3·H·W).
 *
 * Several batches (groups) run as one larger batch ("super-batch"): in eval mode every image goes through
 * G independently, RMSprop's state is per element, and the loss is the sum of each group's own mean MSE
 * (rowWeightedMse with w = 1/(group size · C·H·W)), so each z gets exactly the gradient and update it gets
 * when its group runs alone; only the dispatch count per image shrinks.
 */
import type { Module } from '../nn/module.js';
import type { Runtime } from '../gpu/runtime.js';
import { tensor, type Tensor } from '../tensor/tensor.js';
import { currentRuntime } from '../tensor/engine.js';
import { keep, tidy } from '../tensor/scope.js';
import { backward } from '../autograd/backward.js';
import { noGrad } from '../autograd/tape.js';
import { full, square, sub } from '../ops/elementwise.js';
import { mean } from '../ops/reduce.js';
import { RMSprop } from '../optim/optimizer.js';
import { rowWeightedMse } from './row-weighted-mse.js';

export interface ReconOptions {
  codeSize: number;
  /** optimisation steps per batch (50 for the paper's running test) */
  steps: number;
  /** images per optimisation problem (the paper's 32); the loss is the mean over each such batch */
  batchSize?: number;
  lr?: number;
  alpha?: number;
  eps?: number;
  /** keep the reconstructions (for a PNG grid) */
  keepImages?: boolean;
  /** keep each image's final z (as `latents`, [count, codeSize]) */
  keepLatents?: boolean;
  /** called after each super-batch with the number of images done */
  onBatch?: (done: number, total: number) => void;
  /**
   * batches optimised together as one super-batch (one dispatch sequence); 1 is the plain batch-by-batch
   * loop. Default: as many as fit `memoryBudgetBytes`, at most `maxGroupsPerDispatch`, spread evenly.
   */
  groupsPerDispatch?: number;
  /** upper bound for the automatic choice (default 16) */
  maxGroupsPerDispatch?: number;
  /** GPU memory the automatic choice may plan for G's activations and gradients (default 512 MiB) */
  memoryBudgetBytes?: number;
}

export interface ReconResult {
  /** mean squared error per pixel per channel, [0,1] scale, averaged over images */
  mse: number;
  /** the same per image */
  perImage: Float32Array;
  /** mean per-image squared distance (= mse · 3·H·W) */
  perImageSquaredDistance: number;
  reconstructions?: Float32Array;
  /** each image's final z, [count, codeSize] (with keepLatents) */
  latents?: Float32Array;
  /** batches per super-batch that were used */
  groupsPerDispatch: number;
}

const DEFAULT_MAX_GROUPS = 16;
const DEFAULT_BUDGET = 512 * 2 ** 20;

/**
 * G's activations per image, measured on one batch: the forward pass's live bytes (all intermediates are
 * alive until the tidy() ends, as the tape keeps them during a step).
 */
function forwardBytesPerImage(G: Module, rt: Runtime, n: number, codeSize: number): number {
  const before = rt.memory().liveBytes;
  let live = 0;
  tidy(() =>
    noGrad(() => {
      G.forward(full([n, codeSize], 0));
      live = rt.memory().liveBytes - before;
    }),
  );
  rt.flush();
  return live / n;
}

/** Batches per super-batch when the caller does not fix it. */
function chooseGroups(G: Module, rt: Runtime, groups: number, B: number, o: ReconOptions): number {
  const cap = Math.max(1, Math.min(groups, o.maxGroupsPerDispatch ?? DEFAULT_MAX_GROUPS));
  if (cap === 1) return 1;
  const fwd = Math.max(1, forwardBytesPerImage(G, rt, B, o.codeSize));
  const budget = o.memoryBudgetBytes ?? DEFAULT_BUDGET;
  // a step holds the activations and, during backward, gradients of about the same size
  const byBudget = Math.floor(budget / (2 * fwd * B));
  // no single activation may outgrow a storage binding (bounded by all of one image's activations)
  const byBinding = Math.floor(rt.limits.maxStorageBufferBindingSize / (fwd * B));
  const k = Math.max(1, Math.min(cap, byBudget, byBinding));
  // the same number of super-batches, as even as possible
  return Math.ceil(groups / Math.ceil(groups / k));
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
  const latents = o.keepLatents ? new Float32Array(count * o.codeSize) : undefined;
  const groups = Math.ceil(count / B);
  if (o.groupsPerDispatch !== undefined && !(Number.isInteger(o.groupsPerDispatch) && o.groupsPerDispatch >= 1)) {
    throw new RangeError(`reconstruction: groupsPerDispatch must be a positive integer, got ${o.groupsPerDispatch}`);
  }
  const wasTraining = G.training;
  const params = G.parameters();
  const hadGrad = params.map((p) => p.tensor.requiresGrad);
  G.eval().requiresGrad(false);
  let K = 1;
  try {
    if (count === 0) return { mse: 0, perImage, perImageSquaredDistance: 0, reconstructions: recon, latents, groupsPerDispatch: 1 };
    const rt = params[0]?.tensor.rt ?? currentRuntime();
    K = o.groupsPerDispatch ?? chooseGroups(G, rt, groups, B, o);
    const span = K * B;
    let next = loadImages(0, Math.min(span, count));
    for (let start = 0; start < count; start += span) {
      const n = Math.min(span, count - start);
      const host = await next;
      if (start + n < count) {
        // the next super-batch's images load while this one runs (awaited next round; the catch only
        // keeps a failure from counting as unhandled should this round throw first)
        next = loadImages(start + n, Math.min(span, count - start - n));
        next.catch(() => {});
      }
      // each row's weight is 1/(its group's images · C·H·W): the group's mean, as the plain loop has it
      const w = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const g0 = Math.floor(i / B) * B;
        w[i] = 1 / (Math.min(B, n - g0) * per);
      }
      const x = keep(tensor(host, [n, C, H, W]));
      const wt = keep(tensor(w, [n]));
      const z = keep(full([n, o.codeSize], 0));
      z.requiresGrad = true;
      const opt = new RMSprop([{ name: 'z', tensor: z }], { lr: o.lr ?? 0.01, alpha: o.alpha ?? 0.9, eps: o.eps ?? 1e-6 });
      try {
        for (let s = 0; s < o.steps; s++) {
          tidy(() => {
            const l = rowWeightedMse(G.forward(z), x, wt);
            opt.zeroGrad();
            backward(l);
            opt.step();
          });
          // submit each step (no readback: the loop never waits for the device)
          rt.flush();
        }
        const [errs, imgs] = tidy(() =>
          noGrad(() => {
            const y = G.forward(z);
            return [mean(square(sub(y, x)), [1, 2, 3]), y] as [Tensor, Tensor];
          }),
        );
        try {
          perImage.set(await errs.read(), start);
          if (recon) recon.set(await imgs.read(), start * per);
          if (latents) latents.set(await z.read(), start * o.codeSize);
        } finally {
          errs.dispose();
          imgs.dispose();
        }
      } finally {
        for (const t of [x, wt, z]) t.dispose();
        opt.dispose();
      }
      o.onBatch?.(start + n, count);
    }
  } finally {
    G.train(wasTraining);
    params.forEach((p, i) => (p.tensor.requiresGrad = hadGrad[i]));
  }
  let total = 0;
  for (const e of perImage) total += e;
  const m = total / Math.max(1, count);
  return { mse: m, perImage, perImageSquaredDistance: m * per, reconstructions: recon, latents, groupsPerDispatch: K };
}
