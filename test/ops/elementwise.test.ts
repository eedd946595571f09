import { describe, it } from 'vitest';
import { useGpu } from '../helpers/gpu.js';
import { checkOp } from '../helpers/check.js';
import * as E from '../../src/ops/elementwise.js';
import { mean, sum } from '../../src/ops/reduce.js';
import { map, sigmoid } from '../reference/ops.js';

describe('elementwise ops: forward vs float64, backward vs finite differences (rtol 1e-4)', () => {
  useGpu();
  const kink = { avoid: [0], gap: 1e-3 };
  const unary: [string, (t: any) => any, (v: number) => number, object?][] = [
    ['relu', E.relu, (v) => Math.max(v, 0), kink],
    ['leaky_relu 0.2', (t) => E.leakyRelu(t, 0.2), (v) => (v >= 0 ? v : 0.2 * v), kink],
    ['sigmoid', E.sigmoid, sigmoid],
    ['tanh', E.tanh, Math.tanh],
    ['affine', (t) => E.affine(t, -1.5, 0.25), (v) => -1.5 * v + 0.25],
    ['clamp', (t) => E.clamp(t, -0.5, 0.5), (v) => Math.min(Math.max(v, -0.5), 0.5), { avoid: [-0.5, 0.5], gap: 1e-3 }],
    ['square', E.square, (v) => v * v],
  ];
  for (const [name, gpu, f, extra] of unary) {
    it(name, () =>
      checkOp({ name, inputs: [{ name: 'x', shape: [3, 5, 7], lo: -3, hi: 3, ...extra }], gpu: ([x]) => gpu(x), ref: ([x]) => map(x, f) }));
  }
  // forward only: finite differences cannot resolve derivatives of ~1e-14 here
  it('sigmoid is stable at ±80', () =>
    checkOp({ name: 'sigmoid-extreme', inputs: [{ name: 'x', shape: [4], data: [-80, -30, 30, 80], grad: false }], gpu: ([x]) => E.sigmoid(x), ref: ([x]) => map(x, sigmoid) }));

  // broadcasting: [2,3,4] with [3,1], [1], and rank-4 with a per-channel [1,C,1,1]
  const bin: [string, (a: any, b: any) => any, (a: number, b: number) => number][] = [
    ['add', E.add, (a, b) => a + b],
    ['sub', E.sub, (a, b) => a - b],
    ['mul', E.mul, (a, b) => a * b],
    ['div', E.div, (a, b) => a / b],
  ];
  const cases: [number[], number[], (i: number) => number][] = [
    [[2, 3, 4], [2, 3, 4], (i) => i],
    [[2, 3, 4], [3, 1], (i) => Math.floor(i / 4) % 3],
    [[2, 3, 4], [1], () => 0],
    [[2, 5, 3, 3], [1, 5, 1, 1], (i) => Math.floor(i / 9) % 5],
  ];
  for (const [name, gpu, f] of bin)
    for (const [sa, sb, bi] of cases) {
      it(`${name} ${JSON.stringify(sa)} ⊕ ${JSON.stringify(sb)}`, () =>
        checkOp({
          name,
          inputs: [
            { name: 'a', shape: sa, lo: -2, hi: 2 },
            { name: 'b', shape: sb, lo: 0.5, hi: 2 },
          ],
          gpu: ([a, b]) => gpu(a, b),
          ref: ([a, b]) => map(a, (v, i) => f(v, b[bi(i)])),
        }));
    }

  it('sum over all, over axes, mean, keepDims, reshape', async () => {
    await checkOp({ name: 'sum-all', inputs: [{ name: 'x', shape: [3, 4, 5] }], gpu: ([x]) => sum(x), ref: ([x]) => Float64Array.of(x.reduce((a, b) => a + b, 0)) });
    await checkOp({
      name: 'mean-axes-0-2',
      inputs: [{ name: 'x', shape: [3, 4, 5] }],
      gpu: ([x]) => mean(x, [0, 2]),
      ref: ([x]) => {
        const out = new Float64Array(4);
        x.forEach((v, i) => (out[Math.floor(i / 5) % 4] += v / 15));
        return out;
      },
    });
    await checkOp({
      name: 'sum-last-keepdims-after-reshape',
      inputs: [{ name: 'x', shape: [6, 10] }],
      gpu: ([x]) => sum(E.reshape(x, [3, 2, 10]), -1, true),
      ref: ([x]) => {
        const out = new Float64Array(6);
        x.forEach((v, i) => (out[Math.floor(i / 10)] += v));
        return out;
      },
    });
  });

  // every axis but the channel axis (bias gradients): the per-channel kernel, runs of 4 (S % 4 == 0) or not
  for (const shape of [[3, 4, 4, 2], [2, 3, 5, 5], [5, 6, 3]])
    it(`per-channel sum and mean of ${JSON.stringify(shape)}`, async () => {
      const [N, C] = shape;
      const S = shape.slice(2).reduce((a, b) => a * b, 1);
      const axes = shape.map((_, i) => i).filter((i) => i !== 1);
      const ref = (x: Float64Array, f: number) => {
        const out = new Float64Array(C);
        x.forEach((v, i) => (out[Math.floor(i / S) % C] += v * f));
        return out;
      };
      await checkOp({ name: 'sum-channel', inputs: [{ name: 'x', shape }], gpu: ([x]) => sum(x, axes), ref: ([x]) => ref(x, 1) });
      await checkOp({ name: 'mean-channel', inputs: [{ name: 'x', shape }], gpu: ([x]) => mean(x, axes, true), ref: ([x]) => ref(x, 1 / (N * S)) });
    });

  it('a large reduction spanning many workgroup strides', () =>
    checkOp({ name: 'sum-large', inputs: [{ name: 'x', shape: [70001], lo: 0, hi: 1, grad: false }], gpu: ([x]) => sum(x), ref: ([x]) => Float64Array.of(x.reduce((a, b) => a + b, 0)) }));
});
