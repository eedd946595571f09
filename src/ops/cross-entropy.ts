/**
 * Softmax cross-entropy of logits [N, C] against integer class labels, mean over the N rows
 * (PyTorch's F.cross_entropy with reduction 'mean'). Kernel: kernels/softmax_xent.wgsl.
 */
import src from '../../kernels/softmax_xent.wgsl';
import type { KernelSource } from '../gpu/kernel.js';
import { noGrad, record } from '../autograd/tape.js';
import { empty, tensor, Tensor } from '../tensor/tensor.js';
import { grid1d } from './launch.js';
import { mean } from './reduce.js';

const K = {
  forward: { name: 'softmax_xent:forward', code: src, entry: 'forward' },
  backward: { name: 'softmax_xent:backward', code: src, entry: 'backward' },
} satisfies Record<string, KernelSource>;
const WG = 64;

/** Class labels: host integers, or a tensor of N class indices stored as floats. */
export type Labels = Int32Array | Uint8Array | readonly number[] | Tensor;

function labelTensor(labels: Exclude<Labels, Tensor>, n: number, c: number, logits: Tensor): Tensor {
  if (labels.length !== n) throw new RangeError(`crossEntropy: ${labels.length} labels for ${n} rows of ${logits.describe()}`);
  for (let i = 0; i < n; i++) {
    const l = labels[i];
    if (!Number.isInteger(l) || l < 0 || l >= c) throw new RangeError(`crossEntropy: label ${i} is ${l}, not a class in [0, ${c})`);
  }
  return tensor(Float32Array.from(labels), [n], 'labels', logits.rt);
}

/**
 * Mean softmax cross-entropy of `logits` [N, C] (differentiable in the logits). Host labels are checked
 * here; in a label tensor, an entry that is not a class index makes the loss NaN.
 */
export function crossEntropy(logits: Tensor, labels: Labels): Tensor {
  if (logits.rank !== 2 || logits.shape[0] < 1 || logits.shape[1] < 1) {
    throw new RangeError(`crossEntropy: logits must be [N, C] with N, C ≥ 1, got ${logits.describe()}`);
  }
  const [n, c] = logits.shape;
  const own = !(labels instanceof Tensor);
  let lab: Tensor;
  if (!(labels instanceof Tensor)) lab = labelTensor(labels, n, c, logits);
  else {
    lab = labels;
    if (lab.size !== n) throw new RangeError(`crossEntropy: label tensor ${lab.describe()} does not hold ${n} labels for ${logits.describe()}`);
  }
  const rt = logits.rt;
  const params = { n, c, scale: 1 / n };
  const rows = empty([n], '', rt);
  const stats = empty([n, 2], 'xent-stats', rt);
  rt.dispatch(rt.kernel(K.forward), [logits.buffer, lab.buffer, rows.buffer, stats.buffer], params, grid1d(n, WG, rt));
  const loss = noGrad(() => mean(rows));
  rows.dispose();
  return record('cross_entropy', [logits], loss, (g) => {
    const dx = empty(logits.shape, '', rt);
    rt.dispatch(rt.kernel(K.backward), [logits.buffer, lab.buffer, stats.buffer, g.buffer, dx.buffer], params, grid1d(n * c, WG, rt));
    return [dx];
  }, own ? [stats, lab] : [stats]);
}
