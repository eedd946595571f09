/**
 * The op configurations that image sizes with levels ≡ 2 mod 4 add (see levelPlan): k4 s2 p2 convolutions and
 * transposed convolutions, and R2's padded shortcuts (ZeroPad2d(1) → AvgPool2d(2), nearest ×2 → crop 1)
 * written as per-channel k2 s2 p1 convolutions. Forward vs float64, backward vs finite differences, on the
 * subgroup GEMM kernels and the direct ones.
 */
import { describe, it } from 'vitest';
import { useGpu } from '../helpers/gpu.js';
import { checkOp } from '../helpers/check.js';
import { conv2d, convTranspose2d } from '../../src/ops/conv.js';
import { padAvgPool2x2, upsampleNearest2xCrop } from '../../src/models/resnet.js';
import { constant } from '../../src/nn/init.js';
import * as R from '../reference/ops.js';

/** Zero-pad planes [P,H,W] by p on every side. */
function zeroPad(x: Float64Array, P: number, H: number, W: number, p: number): Float64Array {
  const PH = H + 2 * p;
  const PW = W + 2 * p;
  const y = new Float64Array(P * PH * PW);
  for (let q = 0; q < P; q++)
    for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) y[(q * PH + i + p) * PW + j + p] = x[(q * H + i) * W + j];
  return y;
}

/** Crop planes [P,H,W] by p on every side. */
function crop(x: Float64Array, P: number, H: number, W: number, p: number): Float64Array {
  const CH = H - 2 * p;
  const CW = W - 2 * p;
  const y = new Float64Array(P * CH * CW);
  for (let q = 0; q < P; q++)
    for (let i = 0; i < CH; i++) for (let j = 0; j < CW; j++) y[(q * CH + i) * CW + j] = x[(q * H + i + p) * W + j + p];
  return y;
}

describe('odd-level sizes: padding-2 convolutions and R2\'s padded shortcuts', () => {
  const gpu = useGpu();
  const onPath = (path: string, f: () => Promise<void>) => async () => {
    const rt = gpu.rt();
    rt.tuning.subgroupGemm = path === 'subgroup-gemm';
    try {
      await f();
    } finally {
      rt.tuning.subgroupGemm = true;
    }
  };

  for (const path of ['subgroup-gemm', 'direct'] as const) {
    // D at 36 px, level 1: 18 → 10; G writing it: 10 → 18 (small sizes keep the float64 reference quick)
    const down: R.ConvShape = { N: 2, C: 3, H: 10, W: 10, O: 5, KH: 4, KW: 4, stride: 2, pad: 2 };
    const up: R.ConvShape = { N: 2, C: 5, H: 6, W: 6, O: 3, KH: 4, KW: 4, stride: 2, pad: 2 };
    it(`[${path}] conv2d k4 s2 p2: 10 → 6`, onPath(path, () =>
      checkOp({
        name: 'conv2d p2',
        inputs: [{ name: 'x', shape: [2, 3, 10, 10] }, { name: 'w', shape: [5, 3, 4, 4] }, { name: 'b', shape: [5] }],
        gpu: ([x, w, b]) => conv2d(x, w, b, { stride: 2, padding: 2 }),
        ref: ([x, w, b]) => R.conv2d(x, w, b, down),
      })));
    it(`[${path}] conv_transpose2d k4 s2 p2: 6 → 10`, onPath(path, () =>
      checkOp({
        name: 'conv_transpose2d p2',
        inputs: [{ name: 'x', shape: [2, 5, 6, 6] }, { name: 'w', shape: [5, 3, 4, 4] }, { name: 'b', shape: [3] }],
        gpu: ([x, w, b]) => convTranspose2d(x, w, b, { stride: 2, padding: 2 }),
        ref: ([x, w, b]) => R.convTranspose2d(x, w, b, up),
      })));
    it(`[${path}] ZeroPad2d(1) → AvgPool2d(2): [2,3,10,10] → [2,3,6,6]`, onPath(path, () =>
      checkOp({
        name: 'pad+pool',
        inputs: [{ name: 'x', shape: [2, 3, 10, 10] }],
        gpu: ([x]) => padAvgPool2x2(x, constant([1, 1, 2, 2], 0.25)),
        ref: ([x]) => R.avgPool2x2(zeroPad(x, 6, 10, 10, 1), 6, 12, 12),
      })));
    it(`[${path}] nearest ×2 → crop 1: [2,3,6,6] → [2,3,10,10]`, onPath(path, () =>
      checkOp({
        name: 'up+crop',
        inputs: [{ name: 'x', shape: [2, 3, 6, 6] }],
        gpu: ([x]) => upsampleNearest2xCrop(x, constant([1, 1, 2, 2], 1)),
        ref: ([x]) => crop(R.upsample2x(x, 6, 6, 6), 6, 12, 12, 1),
      })));
  }
});
