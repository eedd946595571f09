/**
 * The op subset that the Chromium tests run in the page: each case is the same checkOp harness and float64
 * reference as the Node op tests (test/ops/), so a browser-only numerical difference fails the same way.
 * Kept small: SwiftShader is slow, and the Node tests cover every shape and path.
 */
import { assertClose, checkOp, makeRng } from '../helpers/check.js';
import * as R from '../reference/ops.js';
import { linear, matmul } from '../../src/ops/matmul.js';
import { conv2d, convTranspose2d } from '../../src/ops/conv.js';
import { batchNorm } from '../../src/ops/batchnorm.js';
import { tprelu } from '../../src/ops/prelu.js';
import { wnConv2d, wnConvTranspose2d } from '../../src/ops/weight-norm.js';
import { avgPool2x2, upsampleNearest2x } from '../../src/ops/resample.js';
import { bceWithLogits, mse } from '../../src/ops/loss.js';
import { crossEntropy } from '../../src/ops/cross-entropy.js';
import { RMSprop } from '../../src/optim/optimizer.js';
import { tensor } from '../../src/tensor/tensor.js';
import { tidy } from '../../src/tensor/scope.js';

export interface BrowserCase {
  name: string;
  run: () => Promise<void>;
}

const dcganD = { N: 2, C: 3, H: 8, W: 8, O: 5, KH: 4, KW: 4, stride: 2, pad: 1 };   // a DCGAN D layer
const dcganG = { N: 2, C: 6, H: 4, W: 4, O: 3, KH: 4, KW: 4, stride: 2, pad: 1 };   // a DCGAN G layer

export const browserOpCases: BrowserCase[] = [
  { name: 'matmul 33×17·17×65', run: () => checkOp({ name: 'matmul', inputs: [{ name: 'a', shape: [33, 17] }, { name: 'b', shape: [17, 65] }], gpu: ([a, b]) => matmul(a, b), ref: ([a, b]) => R.matmul(a, b, 33, 17, 65) }) },
  {
    name: 'linear 4×9→6 with bias',
    run: () => checkOp({
      name: 'linear', inputs: [{ name: 'x', shape: [4, 9] }, { name: 'w', shape: [6, 9] }, { name: 'b', shape: [6] }],
      gpu: ([x, w, b]) => linear(x, w, b),
      ref: ([x, w, b]) => R.map(R.matmul(x, w, 4, 9, 6, false, true), (v, i) => v + b[i % 6]),
    }),
  },
  {
    name: 'conv2d k4 s2 p1',
    run: () => checkOp({
      name: 'conv2d', inputs: [{ name: 'x', shape: [2, 3, 8, 8] }, { name: 'w', shape: [5, 3, 4, 4] }, { name: 'b', shape: [5] }],
      gpu: ([x, w, b]) => conv2d(x, w, b, { stride: 2, padding: 1 }), ref: ([x, w, b]) => R.conv2d(x, w, b, dcganD),
    }),
  },
  {
    name: 'conv_transpose2d k4 s2 p1',
    run: () => checkOp({
      name: 'conv_transpose2d', inputs: [{ name: 'x', shape: [2, 6, 4, 4] }, { name: 'w', shape: [6, 3, 4, 4] }, { name: 'b', shape: [3] }],
      gpu: ([x, w, b]) => convTranspose2d(x, w, b, { stride: 2, padding: 1 }), ref: ([x, w, b]) => R.convTranspose2d(x, w, b, dcganG),
    }),
  },
  {
    name: 'weight-normalised conv2d (affine)',
    run: () => checkOp({
      name: 'wn-conv2d',
      inputs: [{ name: 'x', shape: [2, 3, 8, 8] }, { name: 'v', shape: [5, 3, 4, 4] }, { name: 'gamma', shape: [5], lo: 0.5, hi: 1.5 }, { name: 'beta', shape: [5] }],
      gpu: ([x, v, g, b]) => wnConv2d(x, v, g, b, { stride: 2, padding: 1 }),
      ref: ([x, v, g, b]) => R.map(R.conv2d(x, R.normalizeWeight(v, [5, 3, 4, 4], 0, 1e-6), null, dcganD), (e, i) => g[R.channelIndex(i, 5, 16)] * e + b[R.channelIndex(i, 5, 16)]),
    }),
  },
  {
    name: 'weight-normalised conv_transpose2d (strict, ×2 for stride 2)',
    run: () => checkOp({
      name: 'wn-conv-transpose2d', inputs: [{ name: 'x', shape: [2, 6, 4, 4] }, { name: 'v', shape: [6, 3, 4, 4] }],
      gpu: ([x, v]) => wnConvTranspose2d(x, v, null, null, { stride: 2, padding: 1 }),
      ref: ([x, v]) => R.map(R.convTranspose2d(x, R.normalizeWeight(v, [6, 3, 4, 4], 1, 1e-6), null, dcganG), (e) => 2 * e),
    }),
  },
  {
    name: 'batch norm, training',
    run: () => checkOp({
      name: 'bn-train', inputs: [{ name: 'x', shape: [4, 5, 3, 3], lo: -2, hi: 3 }, { name: 'gamma', shape: [5], lo: 0.5, hi: 1.5 }, { name: 'beta', shape: [5] }],
      gpu: ([x, g, b]) => batchNorm(x, g, b, tensor(new Float32Array(5), [5]), tensor(new Float32Array(5).fill(1), [5]), { training: true }),
      ref: ([x, g, b]) => R.batchNormTrain(x, g, b, 4, 5, 9),
      gradRtol: 3e-4, // as in the Node test: the batch-statistics gradient cancels three similar terms in f32
    }),
  },
  {
    name: 'tprelu, inputs kept away from the kink',
    run: () => {
      const b = makeRng(3).array(4, -0.3, 0.3);
      return checkOp({
        name: 'tprelu',
        inputs: [{ name: 'x', shape: [3, 4, 5, 5], lo: -2, hi: 2, avoid: [...b], gap: 2e-3 }, { name: 'a', shape: [4], lo: 0, hi: 1 }, { name: 'b', shape: [4], data: b }],
        gpu: ([x, a, bb]) => tprelu(x, a, bb), ref: ([x, a, bb]) => R.tprelu(x, a, bb, 4, 25), fdStep: 1e-7,
      });
    },
  },
  {
    // the reconstruction metric's path: eval mode, frozen parameters, dx alone on the quad grid
    name: 'eval batch norm + tprelu with frozen parameters',
    run: () => {
      const rm = makeRng(4).array(4, -0.5, 0.5);
      const frozen = (name: string, lo: number, hi: number) => ({ name, shape: [4], lo, hi, grad: false });
      return checkOp({
        name: 'bn-eval-frozen',
        inputs: [{ name: 'x', shape: [2, 4, 4, 4], lo: -2, hi: 3 }, frozen('gamma', 0.5, 1.5), frozen('beta', -0.5, 0.5), frozen('a', 0.05, 0.95), frozen('b', -0.3, 0.3)],
        gpu: ([x, g, be, a, b]) => batchNorm(x, g, be, tensor(Float32Array.from(rm), [4]), tensor(new Float32Array(4).fill(1.5), [4]), { training: false }, { slope: a, threshold: b }),
        ref: ([x, g, be, a, b]) => R.tprelu(R.batchNormEval(x, g, be, rm, new Float64Array(4).fill(1.5), 4, 16), a, b, 4, 16),
      });
    },
  },
  { name: 'avg pool 2×2', run: () => checkOp({ name: 'avgpool', inputs: [{ name: 'x', shape: [2, 3, 6, 4] }], gpu: ([x]) => avgPool2x2(x), ref: ([x]) => R.avgPool2x2(x, 6, 6, 4) }) },
  { name: 'nearest upsampling ×2', run: () => checkOp({ name: 'upsample', inputs: [{ name: 'x', shape: [2, 3, 3, 2] }], gpu: ([x]) => upsampleNearest2x(x), ref: ([x]) => R.upsample2x(x, 6, 3, 2) }) },
  {
    name: 'BCE with logits and MSE',
    run: async () => {
      await checkOp({ name: 'bce-logits', inputs: [{ name: 'x', shape: [4, 3], lo: -3, hi: 3 }, { name: 't', shape: [4, 3], lo: 0, hi: 1, grad: false }], gpu: ([x, t]) => bceWithLogits(x, t), ref: ([x, t]) => R.bceLogits(x, t) });
      await checkOp({ name: 'mse', inputs: [{ name: 'a', shape: [3, 5] }, { name: 'b', shape: [3, 5] }], gpu: ([a, b]) => mse(a, b), ref: ([a, b]) => R.mse(a, b) });
    },
  },
  {
    name: 'softmax cross-entropy',
    run: () => {
      const labels = [2, 0, 4, 1, 3, 3];
      return checkOp({
        name: 'xent', inputs: [{ name: 'logits', shape: [6, 5], lo: -4, hi: 4 }],
        gpu: ([x]) => crossEntropy(x, labels),
        ref: ([x]) => {
          let l = 0;
          for (let n = 0; n < 6; n++) {
            const row = x.subarray(5 * n, 5 * n + 5);
            const m = Math.max(...row);
            l += m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0)) - row[labels[n]];
          }
          return Float64Array.of(l / 6);
        },
      });
    },
  },
  {
    name: 'RMSprop, two steps (float64 reference)',
    run: async () => {
      const rng = makeRng(11);
      const p0 = rng.array(37, -2, 2);
      const grads = [rng.array(37, -1, 1), rng.array(37, -1, 1)];
      const o = { lr: 1e-3, alpha: 0.9, eps: 1e-6 };
      const p = tensor(Float32Array.from(p0), [37], 'p');
      const opt = new RMSprop([{ name: 'p', tensor: p }], o);
      const want = Float64Array.from(p0);
      const s = new Float64Array(37);
      for (const g of grads) {
        p.grad = tensor(Float32Array.from(g), [37]);
        tidy(() => opt.step());
        p.grad.dispose();
        p.grad = null;
        for (let i = 0; i < 37; i++) {
          s[i] = o.alpha * s[i] + (1 - o.alpha) * g[i] * g[i];
          want[i] -= (o.lr * g[i]) / (Math.sqrt(s[i]) + o.eps);
        }
      }
      assertClose(await p.read(), want, 'rmsprop p after 2 steps');
      opt.dispose();
      p.dispose();
    },
  },
];
