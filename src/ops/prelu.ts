/**
 * PReLU and the paper's TPReLU (kernels/prelu.wgsl), per channel (axis 1):
 *   prelu:  y = x ≥ 0 ? x : a·x         tprelu: y = PReLU_a(x − b) + b
 * The optimiser clamps the slope a to [0, 1] after every step (see optim/). Forward: one elementwise pass on
 * the flat quad grid; backward: one pass per channel for dx, ∂a and ∂b together, or dx alone on the quad grid
 * when a and b are frozen. After a batch norm the
 * activation fuses into it instead (batchnorm.ts, chosen by nn/layers.ts).
 */
import src from '../../kernels/prelu.wgsl';
import type { KernelSource } from '../gpu/kernel.js';
import { record } from '../autograd/tape.js';
import { empty, type Tensor } from '../tensor/tensor.js';
import { dummyBuffer } from './launch.js';
import { channelView, checkPerChannel, quadGrid, walkStep } from './channels.js';

const K = {
  forward: { name: 'prelu:forward', code: src, entry: 'forward' },
  backward: { name: 'prelu:backward', code: src, entry: 'backward' },
  backwardDx: { name: 'prelu:backward_dx', code: src, entry: 'backward_dx' },
} satisfies Record<string, KernelSource>;

function preluImpl(op: string, x: Tensor, a: Tensor, b: Tensor | null): Tensor {
  const v = channelView(x, op);
  checkPerChannel(a, v.C, op, 'slope');
  checkPerChannel(b, v.C, op, 'threshold');
  const rt = x.rt;
  const d = dummyBuffer(rt);
  const y = empty(x.shape, '', rt);
  const qg = quadGrid(v, rt);
  rt.dispatch(rt.kernel(K.forward, { HAS_B: +!!b, ...qg.overrides }), [x.buffer, a.buffer, b?.buffer ?? d, y.buffer], v, qg.groups);
  return record(op, b ? [x, a, b] : [x, a], y, (dy) => {
    const wantA = a.requiresGrad;
    const wantB = !!b?.requiresGrad;
    if (!x.requiresGrad && !wantA && !wantB) return b ? [null, null, null] : [null, null];
    if (!wantA && !wantB) {
      // frozen parameters (the reconstruction metric): dx alone, elementwise
      const dx = empty(x.shape, '', rt);
      rt.dispatch(rt.kernel(K.backwardDx, { HAS_B: +!!b, ...qg.overrides }), [x.buffer, a.buffer, b?.buffer ?? d, dy.buffer, dx.buffer], v, qg.groups);
      return b ? [dx, null, null] : [dx, null];
    }
    // outputs the kernel does not write are bound to distinct small scratch buffers (writable bindings may not alias)
    const dx = empty(x.requiresGrad ? x.shape : [4], '', rt);
    const da = empty([v.C], '', rt);
    const db = empty(b ? [v.C] : [4], '', rt);
    rt.dispatch(
      rt.kernel(K.backward, { HAS_B: +!!b, HAS_DX: +x.requiresGrad, Q: walkStep(v) }),
      [x.buffer, a.buffer, b?.buffer ?? d, dy.buffer, dx.buffer, da.buffer, db.buffer],
      v,
      [v.C],
    );
    const grads = [x.requiresGrad ? dx : null, wantA ? da : null];
    if (b) grads.push(wantB ? db : null);
    return grads;
  });
}

export const prelu = (x: Tensor, a: Tensor) => preluImpl('prelu', x, a, null);
export const tprelu = (x: Tensor, a: Tensor, b: Tensor) => preluImpl('tprelu', x, a, b);
