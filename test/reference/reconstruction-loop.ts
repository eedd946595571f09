/**
 * The reconstruction metric as it was before batching: one 32-image problem at a time (z from zeros,
 * RMSprop on z with lr 0.01, alpha 0.9, eps 1e-6; G frozen in eval mode). The reference that the batched
 * metric must match bitwise (test/metrics/reconstruction-batched.test.ts) and the "old" side of
 * `npm run bench:recon`. G's training mode and requiresGrad flags are restored afterwards.
 */
import type { Module } from '../../src/nn/module.js';
import { tensor, type Tensor } from '../../src/tensor/tensor.js';
import { keep, tidy } from '../../src/tensor/scope.js';
import { backward } from '../../src/autograd/backward.js';
import { noGrad } from '../../src/autograd/tape.js';
import { full, square, sub } from '../../src/ops/elementwise.js';
import { mean } from '../../src/ops/reduce.js';
import { mse } from '../../src/ops/loss.js';
import { RMSprop } from '../../src/optim/optimizer.js';

export async function reconstructionLoopPerBatch(
  G: Module,
  count: number,
  load: (start: number, n: number) => Promise<Float32Array>,
  imageShape: [number, number, number],
  o: { codeSize: number; steps: number; keepImages?: boolean },
): Promise<{ perImage: Float32Array; recon: Float32Array | null }> {
  const B = 32;
  const per = imageShape[0] * imageShape[1] * imageShape[2];
  const perImage = new Float32Array(count);
  const recon = o.keepImages ? new Float32Array(count * per) : null;
  const params = G.parameters();
  const hadGrad = params.map((p) => p.tensor.requiresGrad);
  const wasTraining = G.training;
  G.eval().requiresGrad(false);
  for (let start = 0; start < count; start += B) {
    const n = Math.min(B, count - start);
    const x = keep(tensor(await load(start, n), [n, ...imageShape]));
    const z = keep(full([n, o.codeSize], 0));
    z.requiresGrad = true;
    const opt = new RMSprop([{ name: 'z', tensor: z }], { lr: 0.01, alpha: 0.9, eps: 1e-6 });
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
  }
  G.train(wasTraining);
  params.forEach((p, i) => (p.tensor.requiresGrad = hadGrad[i]));
  return { perImage, recon };
}
