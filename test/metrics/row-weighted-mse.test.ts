import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.js';
import { checkOp, makeRng } from '../helpers/check.js';
import { rowWeightedMse } from '../../src/metrics/row-weighted-mse.js';
import { mse } from '../../src/ops/loss.js';
import { tensor } from '../../src/tensor/tensor.js';
import { tidy } from '../../src/tensor/scope.js';
import { backward } from '../../src/autograd/backward.js';

function ref([a, t, w]: Float64Array[]): Float64Array {
  const R = w.length;
  const P = a.length / R;
  let l = 0;
  for (let r = 0; r < R; r++) {
    let s = 0;
    for (let j = 0; j < P; j++) s += (a[r * P + j] - t[r * P + j]) ** 2;
    l += w[r] * s;
  }
  return Float64Array.of(l);
}

describe('rowWeightedMse: forward vs float64, backward vs finite differences (rtol 1e-4)', () => {
  useGpu();
  // P = 12 (under one workgroup) and P = 192 (lanes stride over the row)
  for (const shape of [[5, 3, 2, 2], [3, 3, 8, 8]]) {
    it(`shape ${JSON.stringify(shape)}`, () =>
      checkOp({
        name: 'row_weighted_mse',
        inputs: [{ name: 'a', shape }, { name: 't', shape }, { name: 'w', shape: [shape[0]], lo: 0.1, hi: 2 }],
        gpu: ([a, t, w]) => rowWeightedMse(a, t, w),
        ref,
      }));
  }

  it('gives each group exactly (bitwise) the gradient of its own mean MSE', async () => {
    // two groups of 4 and 3 rows of 3·4·4 values, as the reconstruction metric stacks them
    const P = 48;
    const sizes = [4, 3];
    const R = 7;
    const rng = makeRng(7);
    const aH = Float32Array.from(rng.array(R * P, 0, 1));
    const tH = Float32Array.from(rng.array(R * P, 0, 1));
    const w = new Float32Array(R);
    for (let r = 0; r < R; r++) w[r] = 1 / ((r < 4 ? 4 : 3) * P);
    const a = tensor(aH, [R, 3, 4, 4]);
    a.requiresGrad = true;
    tidy(() => backward(rowWeightedMse(a, tensor(tH, [R, 3, 4, 4]), tensor(w, [R]))));
    const got = await a.grad!.read();
    let off = 0;
    for (const n of sizes) {
      const ag = tensor(aH.slice(off * P, (off + n) * P), [n, 3, 4, 4]);
      ag.requiresGrad = true;
      tidy(() => backward(mse(ag, tensor(tH.slice(off * P, (off + n) * P), [n, 3, 4, 4]))));
      const want = await ag.grad!.read();
      expect(Array.from(got.subarray(off * P, (off + n) * P))).toEqual(Array.from(want));
      ag.dispose();
      off += n;
    }
    a.dispose();
  });
});
