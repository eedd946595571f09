/** The ResNet merge out = (a·x + b·y)/sqrt(a² + b²) with per-channel (a, b); kernels/weighted_add.wgsl. */
import src from '../../kernels/weighted_add.wgsl';
import type { KernelSource } from '../gpu/kernel.js';
import { record } from '../autograd/tape.js';
import { empty, type Tensor } from '../tensor/tensor.js';
import { sameShape } from './launch.js';
import { channelView, checkPerChannel, quadGrid } from './channels.js';

const K = {
  forward: { name: 'weighted_add:forward', code: src, entry: 'forward' },
  backwardInputs: { name: 'weighted_add:backward_inputs', code: src, entry: 'backward_inputs' },
  backwardParams: { name: 'weighted_add:backward_params', code: src, entry: 'backward_params' },
} satisfies Record<string, KernelSource>;

export function weightedAdd(x: Tensor, y: Tensor, a: Tensor, b: Tensor): Tensor {
  if (!sameShape(x.shape, y.shape)) throw new RangeError(`weighted_add: ${x.describe()} and ${y.describe()} differ in shape`);
  const v = channelView(x, 'weighted_add');
  checkPerChannel(a, v.C, 'weighted_add', 'a');
  checkPerChannel(b, v.C, 'weighted_add', 'b');
  const rt = x.rt;
  const out = empty(x.shape, '', rt);
  const qg = quadGrid(v, rt);
  rt.dispatch(rt.kernel(K.forward, { WG: qg.overrides.WG }), [x.buffer, y.buffer, a.buffer, b.buffer, out.buffer], v, qg.groups);
  return record('weighted_add', [x, y, a, b], out, (dy) => {
    const dx = empty(x.shape, '', rt);
    const dyy = empty(x.shape, '', rt);
    rt.dispatch(rt.kernel(K.backwardInputs, { WG: qg.overrides.WG }), [a.buffer, b.buffer, dy.buffer, dx.buffer, dyy.buffer], v, qg.groups);
    const da = empty([v.C], '', rt);
    const db = empty([v.C], '', rt);
    rt.dispatch(rt.kernel(K.backwardParams), [x.buffer, y.buffer, a.buffer, b.buffer, dy.buffer, da.buffer, db.buffer], v, [v.C]);
    return [dx, dyy, da, db];
  });
}
