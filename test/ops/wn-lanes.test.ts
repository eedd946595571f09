import { describe, it } from 'vitest';
import { useGpu } from '../helpers/gpu.js';
import { checkOp } from '../helpers/check.js';
import { wnConvTranspose2d, wnLinear } from '../../src/ops/weight-norm.js';
import * as R from '../reference/ops.js';

// Layers with many output channels and short rows take the lane-per-channel WN kernels (weight-norm.ts
// perLane: O ≥ 512, J ≤ 256), as G's input linear layer does; the other WN tests cover the workgroup path.
describe('weight norm, lane-per-channel kernels: forward vs float64, backward vs finite differences (rtol 1e-4)', () => {
  useGpu();
  for (const affine of [false, true]) {
    const extra = (O: number) => (affine ? [{ name: 'gamma', shape: [O], lo: 0.5, hi: 1.5 }, { name: 'beta', shape: [O] }] : []);
    it(`wn linear ${affine ? 'affine' : 'strict'}, 512 outputs of 8`, () =>
      checkOp({
        name: 'wn-linear-lanes',
        inputs: [{ name: 'x', shape: [2, 8] }, { name: 'v', shape: [512, 8] }, ...extra(512)],
        gpu: ([x, v, g, b]) => wnLinear(x, v, g ?? null, b ?? null),
        ref: ([x, v, g, b]) => {
          const y = R.matmul(x, R.normalizeWeight(v, [512, 8], 0, 1e-8), 2, 8, 512, false, true);
          return affine ? R.map(y, (e, i) => g[i % 512] * e + b[i % 512]) : y;
        },
      }));
    it(`wn conv_transpose2d ${affine ? 'affine' : 'strict'}, 512 output channels of 3·2·2`, () => {
      const s = { N: 1, C: 3, H: 1, W: 1, O: 512, KH: 2, KW: 2, stride: 2, pad: 0 };
      return checkOp({
        name: 'wn-conv-transpose2d-lanes',
        inputs: [{ name: 'x', shape: [1, 3, 1, 1] }, { name: 'v', shape: [3, 512, 2, 2] }, ...extra(512)],
        gpu: ([x, v, g, b]) => wnConvTranspose2d(x, v, g ?? null, b ?? null, { stride: 2, padding: 0 }),
        ref: ([x, v, g, b]) => {
          const y = R.map(R.convTranspose2d(x, R.normalizeWeight(v, [3, 512, 2, 2], 1, 1e-6), null, s), (e) => 2 * e);
          return affine ? R.map(y, (e, i) => g[R.channelIndex(i, 512, 4)] * e + b[R.channelIndex(i, 512, 4)]) : y;
        },
      });
    });
  }
});
