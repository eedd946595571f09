import { describe, expect, it } from 'vitest';
import { useGpu } from './helpers/gpu.js';
import { tensor } from '../src/tensor/tensor.js';
import { add, relu, sigmoid } from '../src/ops/elementwise.js';
import { sum } from '../src/ops/reduce.js';
import { matmul } from '../src/ops/matmul.js';
import { backward } from '../src/autograd/backward.js';
import { tidy } from '../src/tensor/scope.js';

describe('smoke', () => {
  useGpu();
  it('adds, reduces, differentiates', async () => {
    const a = tensor([1, -2, 3, -4], [2, 2]);
    a.requiresGrad = true;
    const b = tensor([10, 20], [2]);
    const s = tidy(() => {
      const y = sum(relu(add(a, b)));
      backward(y);
      return y;
    });
    expect(await s.item()).toBe(11 + 18 + 13 + 16);
    expect([...(await a.grad!.read())]).toEqual([1, 1, 1, 1]);
    const m = matmul(tensor([1, 2, 3, 4, 5, 6], [2, 3]), tensor([1, 0, 0, 1, 1, 1], [3, 2]));
    expect([...(await m.read())]).toEqual([4, 5, 10, 11]);
    expect((await sigmoid(tensor([0], [1])).read())[0]).toBeCloseTo(0.5, 7);
  });
});
