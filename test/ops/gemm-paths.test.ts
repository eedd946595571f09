/**
 * Which kernels actually run: on an adapter with subgroups, the convolutions and matmuls of a training step
 * dispatch the subgroup implicit-GEMM kernels (not the direct fallbacks); and the weight gradient split over
 * K into several chunks (split-K, with a partial last chunk, with and without the vec4 input windows) sums
 * to the float64 reference.
 */
import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.js';
import { assertClose, makeRng } from '../helpers/check.js';
import { conv2d, convTranspose2d, convWeightGradRaw } from '../../src/ops/conv.js';
import { linear } from '../../src/ops/matmul.js';
import { subgroupGemmAvailable } from '../../src/ops/conv-gemm.js';
import { tensor, type Tensor } from '../../src/tensor/tensor.js';
import { tidy } from '../../src/tensor/scope.js';
import { backward } from '../../src/autograd/backward.js';
import { mean } from '../../src/ops/reduce.js';
import { add, reshape } from '../../src/ops/elementwise.js';
import { dispatches } from '../helpers/dispatches.js';

/** dW[o,c,kh,kw] = Σ g[n,o,y,x] · x[n,c,y·s−p+kh, x·s−p+kw], in float64. */
function weightGrad(g: Float64Array, x: Float64Array, N: number, C: number, H: number, W: number, O: number, OH: number, OW: number, K: number, s: number, p: number): Float64Array {
  const dw = new Float64Array(O * C * K * K);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let y = 0; y < OH; y++)
        for (let xo = 0; xo < OW; xo++) {
          const gv = g[((n * O + o) * OH + y) * OW + xo];
          for (let c = 0; c < C; c++)
            for (let kh = 0; kh < K; kh++) {
              const iy = y * s - p + kh;
              if (iy < 0 || iy >= H) continue;
              for (let kw = 0; kw < K; kw++) {
                const ix = xo * s - p + kw;
                if (ix >= 0 && ix < W) dw[((o * C + c) * K + kh) * K + kw] += gv * x[((n * C + c) * H + iy) * W + ix];
              }
            }
        }
  return dw;
}

describe('implicit-GEMM kernel paths', () => {
  const gpu = useGpu();

  it('with subgroups, a training step runs its convolutions and matmuls on the subgroup kernels only', (ctx) => {
    const rt = gpu.rt();
    if (!subgroupGemmAvailable(rt)) ctx.skip();
    const rng = makeRng(3);
    const seen = dispatches(rt, () => tidy(() => {
      const x = tensor(Float32Array.from(rng.array(2 * 3 * 8 * 8)), [2, 3, 8, 8]);
      const w = tensor(Float32Array.from(rng.array(4 * 3 * 16)), [4, 3, 4, 4]);
      const wt = tensor(Float32Array.from(rng.array(4 * 3 * 16)), [4, 3, 4, 4]);
      const lw = tensor(Float32Array.from(rng.array(5 * 64)), [5, 64]);
      for (const t of [x, w, wt, lw]) t.requiresGrad = true;
      const h = conv2d(x, w, null, { stride: 2, padding: 1 }); // [2,4,4,4]
      const up = convTranspose2d(h, wt, null, { stride: 2, padding: 1 }); // [2,3,8,8]
      const l = linear(reshape(h, [2, 64]), lw, null);
      backward(add(mean(up), mean(l)));
    }));
    const names = seen.map((d) => d.key.split('|')[0]);
    expect(names.filter((n) => n.startsWith('conv2d:'))).toEqual([]);
    // the conv's forward pass, the transposed conv's input gradient and both weight gradients; the two passes
    // that scatter into 3 channels (the transposed conv's forward, the conv's input gradient) take the narrow kernel
    expect(names.filter((n) => n.startsWith('conv_gemm_subgroup')).length).toBeGreaterThanOrEqual(1 + 1 + 2);
    expect(names.filter((n) => n === 'conv_transpose_narrow').length).toBe(2);
    expect(names).toContain('gemm_subgroup');
    if (rt.adapter.description.includes('llvmpipe')) expect(subgroupGemmAvailable(rt)).toBe(true); // lavapipe offers 8-lane subgroups
  });

  // [N, C, H=W, O]: K = N·OH·OW is 512 (2 chunks, vec4 windows) and 675 (3 chunks, the last one short, no windows)
  for (const [N, C, S, O, splits] of [[2, 3, 32, 4, 2], [3, 3, 30, 5, 3]] as const) {
    it(`weight gradient split-K in ${splits} chunks (${N}×${C}×${S}×${S} → ${O} channels) matches float64`, async (ctx) => {
      const rt = gpu.rt();
      if (!subgroupGemmAvailable(rt)) ctx.skip();
      const OH = S / 2;
      const rng = makeRng(S);
      const x = rng.array(N * C * S * S);
      const g = rng.array(N * O * OH * OH);
      let dw: Tensor | null = null;
      const seen = dispatches(rt, () => {
        dw = tidy(() => convWeightGradRaw(tensor(Float32Array.from(g), [N, O, OH, OH]), tensor(Float32Array.from(x), [N, C, S, S]), 4, 4, 2, 1));
      });
      const out = await dw!.read();
      dw!.dispose();
      const gemm = seen.filter((d) => d.key.startsWith('conv_gemm_subgroup') && d.key.includes('MODE=2'));
      expect(gemm).toHaveLength(1);
      expect(gemm[0].wg[2]).toBe(splits);
      expect(seen.length).toBeGreaterThan(1); // the chunks' sum
      assertClose(out, weightGrad(g, x, N, C, S, S, O, OH, OH, 4, 2, 1), `split-K ${splits}`);
    });
  }
});
