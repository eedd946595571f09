import { describe, it } from 'vitest';
import { useGpu } from '../helpers/gpu.js';
import { checkOp, makeRng, size } from '../helpers/check.js';
import { batchNorm } from '../../src/ops/batchnorm.js';
import { prelu, tprelu } from '../../src/ops/prelu.js';
import { wnConv2d, wnConvTranspose2d, wnLinear } from '../../src/ops/weight-norm.js';
import { weightedAdd } from '../../src/ops/weighted-add.js';
import { avgPool2x2, upsampleNearest2x } from '../../src/ops/resample.js';
import { bce, bceWithLogits, mse } from '../../src/ops/loss.js';
import { tensor } from '../../src/tensor/tensor.js';
import * as R from '../reference/ops.js';

describe('layer ops: forward vs float64, backward vs finite differences (rtol 1e-4)', () => {
  useGpu();

  // [3,3,1,1]: 1×1 maps; with only 2 values per channel the x-gradient would be ~0 (pure rounding noise)
  for (const shape of [[4, 5, 3, 3], [6, 7], [3, 3, 1, 1], [1, 4, 5, 3]]) {
    const [N, C] = shape;
    const S = size(shape) / (N * C);
    it(`batch norm, training, ${JSON.stringify(shape)}`, () =>
      checkOp({
        name: 'bn-train',
        inputs: [{ name: 'x', shape, lo: -2, hi: 3 }, { name: 'gamma', shape: [C], lo: 0.5, hi: 1.5 }, { name: 'beta', shape: [C] }],
        gpu: ([x, g, b]) => batchNorm(x, g, b, tensor(new Float32Array(C), [C]), tensor(new Float32Array(C).fill(1), [C]), { training: true }),
        ref: ([x, g, b]) => R.batchNormTrain(x, g, b, N, C, S),
        gradRtol: 3e-4,   // the batch-statistics gradient cancels three terms of similar size in f32
      }));
    it(`batch norm, eval, ${JSON.stringify(shape)}`, () => {
      const rng = makeRng(7);
      const rm = rng.array(C, -0.5, 0.5);
      const rv = rng.array(C, 0.5, 2);
      return checkOp({
        name: 'bn-eval',
        inputs: [{ name: 'x', shape }, { name: 'gamma', shape: [C], lo: 0.5, hi: 1.5 }, { name: 'beta', shape: [C] }],
        gpu: ([x, g, b]) => batchNorm(x, g, b, tensor(Float32Array.from(rm), [C]), tensor(Float32Array.from(rv), [C]), { training: false }),
        ref: ([x, g, b]) => R.batchNormEval(x, g, b, rm, rv, C, S),
      });
    });
  }

  it('prelu and tprelu, 4-D and 2-D, inputs kept away from the kink', async () => {
    const rng = makeRng(3);
    for (const shape of [[3, 4, 5, 5], [5, 6]]) {
      const [N, C] = shape;
      const S = size(shape) / (N * C);
      const b = rng.array(C, -0.3, 0.3);
      await checkOp({
        name: 'tprelu',
        inputs: [
          { name: 'x', shape, lo: -2, hi: 2, avoid: [...b], gap: 2e-3 },
          { name: 'a', shape: [C], lo: 0, hi: 1 },
          { name: 'b', shape: [C], data: b },
        ],
        gpu: ([x, a, bb]) => tprelu(x, a, bb),
        ref: ([x, a, bb]) => R.tprelu(x, a, bb, C, S),
        fdStep: 1e-7,
      });
      await checkOp({
        name: 'prelu',
        inputs: [{ name: 'x', shape, lo: -2, hi: 2, avoid: [0], gap: 2e-3 }, { name: 'a', shape: [C], lo: 0, hi: 1 }],
        gpu: ([x, a]) => prelu(x, a),
        ref: ([x, a]) => R.tprelu(x, a, null, C, S),
      });
    }
  });

  // the paper's WN: per output channel, eps inside the sqrt, ×sqrt(stride²) for transposed conv
  for (const affine of [false, true]) {
    const wnInputs = (w: number[], O: number) => [
      { name: 'v', shape: w },
      ...(affine ? [{ name: 'gamma', shape: [O], lo: 0.5, hi: 1.5 }, { name: 'beta', shape: [O] }] : []),
    ];
    // the input gradient folds the WN scale into v (ops/weight-norm.ts): each layer at two batch sizes, one where
    // dy is smaller than v and one where it is larger
    for (const N of [2, 6]) // dy 2·6·4·4 = 192 < v 6·4·4·4 = 384; 6·6·4·4 = 576 > 384
      it(`wn conv2d ${affine ? 'affine' : 'strict'}, batch ${N}`, () => {
        const s = { N, C: 4, H: 8, W: 8, O: 6, KH: 4, KW: 4, stride: 2, pad: 1 };
        return checkOp({
          name: 'wn-conv2d',
          inputs: [{ name: 'x', shape: [N, 4, 8, 8] }, ...wnInputs([6, 4, 4, 4], 6)],
          gpu: ([x, v, g, b]) => wnConv2d(x, v, g ?? null, b ?? null, { stride: 2, padding: 1 }),
          ref: ([x, v, g, b]) => {
            const y = R.conv2d(x, R.normalizeWeight(v, [6, 4, 4, 4], 0, 1e-6), null, s);
            return affine ? R.map(y, (e, i) => g[R.channelIndex(i, 6, 16)] * e + b[R.channelIndex(i, 6, 16)]) : y;
          },
        });
      });
    for (const N of [1, 2]) // dy 1·3·8·8 = 192 < v 6·3·4·4 = 288; 2·3·8·8 = 384 > 288
      it(`wn conv_transpose2d ${affine ? 'affine' : 'strict'} (×2 for stride 2), batch ${N}`, () => {
        const s = { N, C: 6, H: 4, W: 4, O: 3, KH: 4, KW: 4, stride: 2, pad: 1 };
        return checkOp({
          name: 'wn-conv-transpose2d',
          inputs: [{ name: 'x', shape: [N, 6, 4, 4] }, ...wnInputs([6, 3, 4, 4], 3)],
          gpu: ([x, v, g, b]) => wnConvTranspose2d(x, v, g ?? null, b ?? null, { stride: 2, padding: 1 }),
          ref: ([x, v, g, b]) => {
            const y = R.map(R.convTranspose2d(x, R.normalizeWeight(v, [6, 3, 4, 4], 1, 1e-6), null, s), (e) => 2 * e);
            return affine ? R.map(y, (e, i) => g[R.channelIndex(i, 3, 64)] * e + b[R.channelIndex(i, 3, 64)]) : y;
          },
        });
      });
    for (const B of [3, 12]) // dy 3·7 = 21 < v 7·10 = 70; 12·7 = 84 > 70
      it(`wn linear ${affine ? 'affine' : 'strict'}, batch ${B}`, () =>
        checkOp({
          name: 'wn-linear',
          inputs: [{ name: 'x', shape: [B, 10] }, ...wnInputs([7, 10], 7)],
          gpu: ([x, v, g, b]) => wnLinear(x, v, g ?? null, b ?? null),
          ref: ([x, v, g, b]) => {
            const y = R.matmul(x, R.normalizeWeight(v, [7, 10], 0, 1e-8), B, 10, 7, false, true);
            return affine ? R.map(y, (e, i) => g[i % 7] * e + b[i % 7]) : y;
          },
        }));
  }

  it('weighted add, including the (0, 1) initialisation', async () => {
    for (const [a0, b0] of [[null, null], [0, 1]] as const) {
      await checkOp({
        name: 'weighted-add',
        inputs: [
          { name: 'x', shape: [2, 4, 3, 3] },
          { name: 'y', shape: [2, 4, 3, 3] },
          a0 === null ? { name: 'a', shape: [4] } : { name: 'a', shape: [4], data: [a0, a0, a0, a0] },
          b0 === null ? { name: 'b', shape: [4] } : { name: 'b', shape: [4], data: [b0, b0, b0, b0] },
        ],
        gpu: ([x, y, a, b]) => weightedAdd(x, y, a, b),
        ref: ([x, y, a, b]) => R.weightedAdd(x, y, a, b, 4, 9),
      });
    }
  });

  it('avg pool 2×2 (odd sizes floor) and nearest ×2 upsampling', async () => {
    await checkOp({ name: 'avgpool', inputs: [{ name: 'x', shape: [2, 3, 6, 4] }], gpu: ([x]) => avgPool2x2(x), ref: ([x]) => R.avgPool2x2(x, 6, 6, 4) });
    await checkOp({ name: 'avgpool-odd', inputs: [{ name: 'x', shape: [1, 2, 5, 3] }], gpu: ([x]) => avgPool2x2(x), ref: ([x]) => R.avgPool2x2(x, 2, 5, 3) });
    await checkOp({ name: 'upsample', inputs: [{ name: 'x', shape: [2, 3, 3, 2] }], gpu: ([x]) => upsampleNearest2x(x), ref: ([x]) => R.upsample2x(x, 6, 3, 2) });
  });

  it('losses: BCE, BCE with logits, MSE (mean)', async () => {
    const rng = makeRng(11);
    const t = R.map(rng.array(12, 0, 1), (v, i) => (i % 3 === 0 ? Math.round(v) : Math.fround(v)));
    await checkOp({
      name: 'bce',
      inputs: [{ name: 'p', shape: [4, 3], lo: 0.05, hi: 0.95 }, { name: 't', shape: [4, 3], data: t, grad: false }],
      gpu: ([p, tt]) => bce(p, tt),
      ref: ([p, tt]) => R.bce(p, tt),
    });
    await checkOp({
      name: 'bce-logits',
      inputs: [{ name: 'x', shape: [4, 3], lo: -6, hi: 6 }, { name: 't', shape: [4, 3], data: t, grad: false }],
      gpu: ([x, tt]) => bceWithLogits(x, tt),
      ref: ([x, tt]) => R.bceLogits(x, tt),
    });
    await checkOp({
      name: 'bce-constant-target',
      inputs: [{ name: 'p', shape: [5, 1], lo: 0.05, hi: 0.95 }],
      gpu: ([p]) => bce(p, 1),
      ref: ([p]) => R.bce(p, new Float64Array(5).fill(1)),
    });
    await checkOp({ name: 'mse', inputs: [{ name: 'a', shape: [3, 5] }, { name: 'b', shape: [3, 5] }], gpu: ([a, b]) => mse(a, b), ref: ([a, b]) => R.mse(a, b) });
  });
});
