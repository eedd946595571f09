/** 2×2 average pooling and nearest ×2 upsampling (the ResNet's shortcuts), kernels/resample.wgsl. */
import src from '../../kernels/resample.wgsl';
import type { KernelSource } from '../gpu/kernel.js';
import { record } from '../autograd/tape.js';
import { empty, type Tensor } from '../tensor/tensor.js';
import { grid1d } from './launch.js';

const kernel = (entry: string): KernelSource => ({ name: `resample:${entry}`, code: src, entry });
const K = {
  pool: kernel('avg_pool'),
  poolBack: kernel('avg_pool_backward'),
  up: kernel('upsample'),
  upBack: kernel('upsample_backward'),
};
const WG = 64;

function launch(k: KernelSource, x: Tensor, outShape: number[], p: { P: number; H: number; W: number; OH: number; OW: number }): Tensor {
  const rt = x.rt;
  const y = empty(outShape, '', rt);
  rt.dispatch(rt.kernel(k), [x.buffer, y.buffer], p, grid1d(y.size, WG, rt));
  return y;
}

function planes(x: Tensor, op: string) {
  if (x.rank !== 4) throw new RangeError(`${op}: input must be [N,C,H,W], got ${x.describe()}`);
  const [N, C, H, W] = x.shape;
  return { N, C, H, W, P: N * C };
}

/** AvgPool2d(2): [N,C,H,W] → [N,C,⌊H/2⌋,⌊W/2⌋]. */
export function avgPool2x2(x: Tensor): Tensor {
  const { N, C, H, W, P } = planes(x, 'avg_pool2x2');
  const OH = Math.floor(H / 2);
  const OW = Math.floor(W / 2);
  if (OH === 0 || OW === 0) throw new RangeError(`avg_pool2x2: input ${x.describe()} is smaller than 2×2`);
  const p = { P, H, W, OH, OW };
  const y = launch(K.pool, x, [N, C, OH, OW], p);
  return record('avg_pool2x2', [x], y, (dy) => [launch(K.poolBack, dy, [N, C, H, W], p)]);
}

/** Nearest-neighbour ×2 upsampling: [N,C,H,W] → [N,C,2H,2W]. */
export function upsampleNearest2x(x: Tensor): Tensor {
  const { N, C, H, W, P } = planes(x, 'upsample_nearest2x');
  const p = { P, H, W, OH: 2 * H, OW: 2 * W };
  const y = launch(K.up, x, [N, C, 2 * H, 2 * W], p);
  return record('upsample_nearest2x', [x], y, (dy) => [launch(K.upBack, dy, [N, C, H, W], p)]);
}
