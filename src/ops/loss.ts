/**
 * Mean-reduced losses (kernels/loss.wgsl): BCE on probabilities (PyTorch's, logs clamped at −100),
 * BCE with logits, and MSE. The target may be a tensor of the prediction's shape or a constant.
 */
import src from '../../kernels/loss.wgsl';
import type { KernelSource } from '../gpu/kernel.js';
import { noGrad, record } from '../autograd/tape.js';
import { empty, type Tensor } from '../tensor/tensor.js';
import { grid1d, sameShape } from './launch.js';
import { full, scaleRaw } from './elementwise.js';
import { mean } from './reduce.js';

const K = {
  pointwise: { name: 'loss:pointwise', code: src, entry: 'pointwise' },
  backward: { name: 'loss:backward', code: src, entry: 'backward' },
} satisfies Record<string, KernelSource>;
const WG = 64;

enum Loss {
  Bce = 0,
  BceWithLogits = 1,
  Mse = 2,
}

function meanLoss(op: string, kind: Loss, pred: Tensor, target: Tensor | number, targetGrad: boolean): Tensor {
  const t = typeof target === 'number' ? full(pred.shape, target) : target;
  if (!sameShape(pred.shape, t.shape)) throw new RangeError(`${op}: prediction ${pred.describe()} and target ${t.describe()} differ in shape`);
  const rt = pred.rt;
  const n = pred.size;
  const params = { n, scale: 1 / n };
  const pointwise = empty(pred.shape, '', rt);
  rt.dispatch(rt.kernel(K.pointwise, { LOSS: kind }), [pred.buffer, t.buffer, pointwise.buffer], params, grid1d(n, WG, rt));
  const loss = noGrad(() => mean(pointwise));
  pointwise.dispose();
  const inputs = targetGrad && typeof target !== 'number' ? [pred, t] : [pred];
  return record(op, inputs, loss, (g) => {
    const da = empty(pred.shape, '', rt);
    rt.dispatch(rt.kernel(K.backward, { LOSS: kind }), [pred.buffer, t.buffer, g.buffer, da.buffer], params, grid1d(n, WG, rt));
    // only MSE is differentiated w.r.t. its second argument: ∂/∂b = −∂/∂a
    return inputs.length === 2 ? [da, t.requiresGrad ? scaleRaw(da, -1) : null] : [da];
  }, typeof target === 'number' ? [t] : []);
}

/** Binary cross-entropy of probabilities p ∈ (0,1) against targets (mean over all elements). */
export const bce = (p: Tensor, target: Tensor | number) => meanLoss('bce', Loss.Bce, p, target, false);
/** Binary cross-entropy of logits (numerically stable; mean over all elements). */
export const bceWithLogits = (x: Tensor, target: Tensor | number) => meanLoss('bce_with_logits', Loss.BceWithLogits, x, target, false);
/** Mean squared error; differentiable in both arguments. */
export const mse = (a: Tensor, b: Tensor) => meanLoss('mse', Loss.Mse, a, b, true);
