/**
 * Row-weighted squared error (kernels/row_weighted_mse.wgsl): for a, t of shape [R, ...] and w of shape [R],
 *   L = Σ_r w_r · Σ_j (a_rj − t_rj)².
 * With w_r = 1/(n_g·P) for the rows of group g (n_g rows, P values per row) it is the sum over groups of each
 * group's mean MSE, so independent batches can share one dispatch sequence and still get exactly the
 * gradient each would get alone. Differentiable in a, t and w.
 */
import src from '../../kernels/row_weighted_mse.wgsl';
import type { KernelSource } from '../gpu/kernel.js';
import { noGrad, record } from '../autograd/tape.js';
import { empty, reshapeView, type Tensor } from '../tensor/tensor.js';
import { sameShape } from '../ops/launch.js';
import { mul, mulRaw, scaleRaw } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';

const K = {
  rowSq: { name: 'row_weighted_mse:row_sq', code: src, entry: 'row_sq' },
  backward: { name: 'row_weighted_mse:backward', code: src, entry: 'backward' },
} satisfies Record<string, KernelSource>;
const WG = 64;

export function rowWeightedMse(a: Tensor, t: Tensor, w: Tensor): Tensor {
  if (!sameShape(a.shape, t.shape)) throw new RangeError(`row_weighted_mse: prediction ${a.describe()} and target ${t.describe()} differ in shape`);
  if (a.rank < 1) throw new RangeError(`row_weighted_mse: ${a.describe()} has no row axis`);
  const R = a.shape[0];
  if (w.size !== R) throw new RangeError(`row_weighted_mse: weights ${w.describe()} should have ${R} values (one per row)`);
  const rt = a.rt;
  if (R > rt.limits.maxComputeWorkgroupsPerDimension) throw new RangeError(`row_weighted_mse: ${R} rows exceed one dispatch dimension`);
  const P = R === 0 ? 0 : a.size / R;
  const params = { R, P };
  const rowSq = empty([R], 'row-sq', rt);
  rt.dispatch(rt.kernel(K.rowSq), [a.buffer, t.buffer, rowSq.buffer], params, [1, R]);
  const w1 = reshapeView(w, [R]);
  const loss = noGrad(() => sum(mul(rowSq, w1)));
  w1.dispose();
  return record('row_weighted_mse', [a, t, w], loss, (g) => {
    let da: Tensor | null = null;
    if (a.requiresGrad || t.requiresGrad) {
      da = empty(a.shape, '', rt);
      rt.dispatch(rt.kernel(K.backward), [a.buffer, t.buffer, w.buffer, g.buffer, da.buffer], params, [Math.ceil(P / WG), R]);
    }
    const dt = t.requiresGrad ? scaleRaw(da!, -1) : null;
    return [a.requiresGrad ? da : null, dt, w.requiresGrad ? mulRaw(reshapeView(rowSq, w.shape), g) : null];
  }, [rowSq]);
}

