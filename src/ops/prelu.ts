/**
 * PReLU and the paper's TPReLU (kernels/prelu.wgsl), per channel (axis 1):
 *   prelu:  y = x ≥ 0 ? x : a·x         tprelu: y = PReLU_a(x − b) + b
 * The optimiser clamps the slope a to [0, 1] after every step (see optim/).
 */
import kernelSrc from '../../kernels/prelu.wgsl';
import channelLib from '../../kernels/lib/channel.wgsl';

const src = kernelSrc + channelLib;
import type { KernelSource } from '../gpu/kernel.js';
import { record } from '../autograd/tape.js';
import { empty, type Tensor } from '../tensor/tensor.js';
import { dummyBuffer } from './launch.js';
import { channelView, checkPerChannel, planeGrid } from './channels.js';

const K = {
  forward: { name: 'prelu:forward', code: src, entry: 'forward', bindings: ['read', 'read', 'read', 'read_write', 'uniform'] },
  backwardInput: { name: 'prelu:backward_input', code: src, entry: 'backward_input', bindings: ['read', 'read', 'read', 'read', 'read_write', 'uniform'] },
  backwardParams: {
    name: 'prelu:backward_params', code: src, entry: 'backward_params',
    bindings: ['read', 'read', 'read', 'read', 'read_write', 'read_write', 'uniform'],
  },
} satisfies Record<string, KernelSource>;

function preluImpl(op: string, x: Tensor, a: Tensor, b: Tensor | null): Tensor {
  const v = channelView(x, op);
  checkPerChannel(a, v.C, op, 'slope');
  checkPerChannel(b, v.C, op, 'threshold');
  const rt = x.rt;
  const d = dummyBuffer(rt);
  const ov = { HAS_B: +!!b };
  const y = empty(x.shape, '', rt);
  const pg = planeGrid(v);
  rt.dispatch(rt.kernel(K.forward, { ...ov, WG: pg.wg }), [x.buffer, a.buffer, b?.buffer ?? d, y.buffer], v, pg.groups);
  return record(op, b ? [x, a, b] : [x, a], y, (dy) => {
    let dx: Tensor | null = null;
    if (x.requiresGrad) {
      dx = empty(x.shape, '', rt);
      rt.dispatch(rt.kernel(K.backwardInput, { ...ov, WG: pg.wg }), [x.buffer, a.buffer, b?.buffer ?? d, dy.buffer, dx.buffer], v, pg.groups);
    }
    if (!a.requiresGrad && !b?.requiresGrad) return b ? [dx, null, null] : [dx, null];
    const da = empty([v.C], '', rt);
    const db = b ? empty([v.C], '', rt) : null;
    // with no threshold the kernel never writes db; a second dummy keeps the two writable bindings distinct
    const dbBuf = db?.buffer ?? empty([4], '', rt).buffer;
    rt.dispatch(rt.kernel(K.backwardParams, ov), [x.buffer, a.buffer, b?.buffer ?? d, dy.buffer, da.buffer, dbBuf], v, [v.C]);
    const grads = [dx, a.requiresGrad ? da : null];
    if (b) grads.push(b.requiresGrad ? db : null);
    return grads;
  });
}

export const prelu = (x: Tensor, a: Tensor) => preluImpl('prelu', x, a, null);
export const tprelu = (x: Tensor, a: Tensor, b: Tensor) => preluImpl('tprelu', x, a, b);
