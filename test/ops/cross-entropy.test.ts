import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.js';
import { checkOp, makeRng } from '../helpers/check.js';
import { crossEntropy } from '../../src/ops/cross-entropy.js';
import { tensor } from '../../src/tensor/tensor.js';
import { tidy } from '../../src/tensor/scope.js';
import { backward } from '../../src/autograd/backward.js';

/** float64 mean softmax cross-entropy (max-subtracted log-sum-exp) */
function xentRef(x: Float64Array, labels: ArrayLike<number>, n: number, c: number): Float64Array {
  let total = 0;
  for (let r = 0; r < n; r++) {
    const row = x.subarray(r * c, (r + 1) * c);
    const m = Math.max(...row);
    let s = 0;
    for (const v of row) s += Math.exp(v - m);
    total += m + Math.log(s) - row[labels[r]];
  }
  return Float64Array.of(total / n);
}

function labelsFor(n: number, c: number, seed: number): Int32Array {
  const rng = makeRng(seed);
  const l = Int32Array.from({ length: n }, () => Math.floor(rng.uniform(0, c)));
  l[0] = c - 1; // the last class is always exercised
  return l;
}

describe('softmax cross-entropy: forward vs float64, backward vs finite differences (rtol 1e-4)', () => {
  useGpu();

  for (const [n, c] of [[1, 10], [33, 10], [33, 7], [5, 1], [70, 3]]) {
    it(`N=${n} C=${c}, host labels`, () => {
      const labels = labelsFor(n, c, n * 100 + c);
      return checkOp({ name: `xent ${n}x${c}`, inputs: [{ name: 'logits', shape: [n, c], lo: -4, hi: 4 }], gpu: ([x]) => crossEntropy(x, labels), ref: ([x]) => xentRef(x, labels, n, c) });
    });
  }

  it('labels as a tensor (number[] and Int32Array agree)', async () => {
    const labels = labelsFor(33, 7, 3);
    await checkOp({
      name: 'xent label tensor',
      inputs: [{ name: 'logits', shape: [33, 7], lo: -3, hi: 3 }, { name: 'labels', shape: [33], data: labels, grad: false }],
      gpu: ([x, l]) => crossEntropy(x, l),
      ref: ([x]) => xentRef(x, labels, 33, 7),
    });
    await checkOp({ name: 'xent number[]', inputs: [{ name: 'logits', shape: [33, 7] }], gpu: ([x]) => crossEntropy(x, [...labels]), ref: ([x]) => xentRef(x, labels, 33, 7) });
  });

  it('is stable for large logits (rows offset by ±1000, spread of ±30)', () => {
    const n = 12;
    const c = 10;
    const rng = makeRng(5);
    const data = Float64Array.from({ length: n * c }, (_, i) => Math.fround((Math.floor(i / c) % 2 ? 1000 : -1000) + rng.uniform(-30, 30)));
    const labels = labelsFor(n, c, 9);
    return checkOp({ name: 'xent large', inputs: [{ name: 'logits', shape: [n, c], data }], gpu: ([x]) => crossEntropy(x, labels), ref: ([x]) => xentRef(x, labels, n, c), fdStep: 1e-4 });
  });

  it('scales the gradient by the upstream scalar', async () => {
    const x = tensor(Float32Array.from([1, 2, 3, -1, 0, 1]), [2, 3]);
    x.requiresGrad = true;
    tidy(() => backward(crossEntropy(x, [2, 0]), tensor([3], [])));
    const g = await x.grad!.read();
    const sm = (r: number[]) => r.map((v) => Math.exp(v) / r.reduce((s, u) => s + Math.exp(u), 0));
    const want = [...sm([1, 2, 3]).map((p, k) => (p - +(k === 2)) * 1.5), ...sm([-1, 0, 1]).map((p, k) => (p - +(k === 0)) * 1.5)];
    g.forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
    x.dispose();
  });

  it('rejects bad labels: host ones with a message, tensor ones as NaN', async () => {
    const x = tensor(new Float32Array(6), [2, 3]);
    expect(() => crossEntropy(x, [0, 3])).toThrow(/label 1 is 3, not a class in \[0, 3\)/);
    expect(() => crossEntropy(x, [0])).toThrow(/1 labels for 2 rows/);
    expect(() => crossEntropy(tensor(new Float32Array(6), [6]), [0])).toThrow(/must be \[N, C\]/);
    const bad = tidy(() => crossEntropy(x, tensor([0, 1.5], [2])));
    expect(Number.isNaN(await bad.item())).toBe(true);
    const ok = tidy(() => crossEntropy(x, tensor([0, 2], [2])));
    expect(await ok.item()).toBeCloseTo(Math.log(3), 6);
    for (const t of [x, bad, ok]) t.dispose();
  });
});
