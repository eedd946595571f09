import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.js';
import { checkOp } from '../helpers/check.js';
import { linear, matmul } from '../../src/ops/matmul.js';
import { conv2d, convTranspose2d } from '../../src/ops/conv.js';
import { subgroupGemmAvailable } from '../../src/ops/conv-gemm.js';
import { tensor } from '../../src/tensor/tensor.js';
import { tidy } from '../../src/tensor/scope.js';
import * as R from '../reference/ops.js';

describe('matmul, linear, conv2d, conv_transpose2d: forward vs float64, backward vs finite differences (rtol 1e-4)', () => {
  const gpu = useGpu();
  /** run f with the subgroup GEMM kernels on, or off (the portable kernels) */
  const onPath = async (path: string, f: () => Promise<void>) => {
    const rt = gpu.rt();
    rt.tuning.subgroupGemm = path === 'subgroup-gemm';
    try {
      await f();
    } finally {
      rt.tuning.subgroupGemm = true;
    }
  };
  // the shapes cover edge tiles, K not a multiple of 4 and the vec4 paths (multiples of 4)
  for (const path of ['subgroup-gemm', 'tiled'] as const)
  for (const [M, K, N] of [[1, 1, 1], [5, 7, 3], [33, 17, 65], [70, 132, 68]]) {
    for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]]) {
      it(`[${path}] matmul ${M}×${K}·${K}×${N} transA=${tA} transB=${tB}`, () => onPath(path, () =>
        checkOp({
          name: 'matmul',
          inputs: [
            { name: 'a', shape: tA ? [K, M] : [M, K] },
            { name: 'b', shape: tB ? [N, K] : [K, N] },
          ],
          gpu: ([a, b]) => matmul(a, b, { transA: tA, transB: tB }),
          ref: ([a, b]) => R.matmul(a, b, M, K, N, tA, tB),
        })));
    }
  }
  for (const path of ['subgroup-gemm', 'tiled'] as const)
  it(`[${path}] linear with and without bias, batch 1`, () => onPath(path, async () => {
    for (const [B, I, O, bias] of [[4, 9, 6, true], [1, 3, 5, false]] as const) {
      await checkOp({
        name: `linear ${B}x${I}->${O}`,
        inputs: [
          { name: 'x', shape: [B, I] },
          { name: 'w', shape: [O, I] },
          ...(bias ? [{ name: 'b', shape: [O] }] : []),
        ],
        gpu: ([x, w, b]) => linear(x, w, b ?? null),
        ref: ([x, w, b]) => {
          const y = R.matmul(x, w, B, I, O, false, true);
          if (b) y.forEach((v, i) => (y[i] = v + b[i % O]));
          return y;
        },
      });
    }
  }));

  const convCases: (R.ConvShape & { bias: boolean })[] = [
    { N: 2, C: 3, H: 8, W: 8, O: 5, KH: 4, KW: 4, stride: 2, pad: 1, bias: true },   // DCGAN D layer
    { N: 3, C: 5, H: 6, W: 16, O: 33, KH: 4, KW: 4, stride: 2, pad: 1, bias: true }, // vec4 windows at both row edges, >32 out channels
    // vec4 windows on rows of 3, 6, 9 and 18 lanes (4 columns each), so that workgroups and 8-lane subgroups
    // start and end inside a row
    { N: 2, C: 6, H: 6, W: 24, O: 9, KH: 4, KW: 4, stride: 2, pad: 1, bias: true },
    { N: 1, C: 5, H: 3, W: 72, O: 6, KH: 4, KW: 4, stride: 2, pad: 1, bias: false },
    { N: 1, C: 3, H: 5, W: 7, O: 6, KH: 3, KW: 3, stride: 1, pad: 1, bias: true },   // odd sizes, batch 1
    { N: 2, C: 8, H: 4, W: 4, O: 1, KH: 4, KW: 4, stride: 1, pad: 0, bias: false },  // D's last layer: 4×4 → 1×1
    { N: 2, C: 5, H: 1, W: 1, O: 3, KH: 1, KW: 1, stride: 1, pad: 0, bias: true },   // 1×1 maps
    { N: 1, C: 2, H: 7, W: 6, O: 3, KH: 4, KW: 3, stride: 3, pad: 2, bias: false },  // stride 3, non-square kernel
    // the narrow transposed kernel (≤ 4 output channels, k4 s2 p1, rows a multiple of 4 long): G's image layer
    // and D's first-layer input gradient, with 1..4 channels, several column blocks and an odd row count
    { N: 2, C: 6, H: 5, W: 12, O: 3, KH: 4, KW: 4, stride: 2, pad: 1, bias: true },
    { N: 1, C: 3, H: 8, W: 8, O: 1, KH: 4, KW: 4, stride: 2, pad: 1, bias: false },
    { N: 1, C: 2, H: 4, W: 4, O: 4, KH: 4, KW: 4, stride: 2, pad: 1, bias: true },
  ];
  // every case on both kernel families: the subgroup implicit GEMM (when the device has subgroups) and
  // the portable direct kernels
  for (const path of ['subgroup-gemm', 'direct'] as const)
  for (const s of convCases) {
    const withPath = (f: () => Promise<void>) => () => onPath(path, f);
    it(`[${path}] conv2d ${JSON.stringify(s)}`, withPath(() =>
      checkOp({
        name: 'conv2d',
        inputs: [
          { name: 'x', shape: [s.N, s.C, s.H, s.W] },
          { name: 'w', shape: [s.O, s.C, s.KH, s.KW] },
          ...(s.bias ? [{ name: 'b', shape: [s.O] }] : []),
        ],
        gpu: ([x, w, b]) => conv2d(x, w, b ?? null, { stride: s.stride, padding: s.pad }),
        ref: ([x, w, b]) => R.conv2d(x, w, b ?? null, s),
      })));
    it(`[${path}] conv_transpose2d ${JSON.stringify(s)}`, withPath(() =>
      checkOp({
        name: 'conv_transpose2d',
        inputs: [
          { name: 'x', shape: [s.N, s.C, s.H, s.W] },
          { name: 'w', shape: [s.C, s.O, s.KH, s.KW] },
          ...(s.bias ? [{ name: 'b', shape: [s.O] }] : []),
        ],
        gpu: ([x, w, b]) => convTranspose2d(x, w, b ?? null, { stride: s.stride, padding: s.pad }),
        ref: ([x, w, b]) => R.convTranspose2d(x, w, b ?? null, s),
      })));
  }
  it('on a device with subgroups, convolutions run on the implicit-GEMM kernels', () => {
    const rt = gpu.rt();
    tidy(() => conv2d(tensor(new Float32Array(2 * 3 * 8 * 8), [2, 3, 8, 8]), tensor(new Float32Array(4 * 3 * 16), [4, 3, 4, 4]), null, { stride: 2, padding: 1 }));
    const used = rt.pipelines.keys().some((k) => k.startsWith('conv_gemm_subgroup'));
    expect(used).toBe(subgroupGemmAvailable(rt));
    if (rt.adapter.description.includes('llvmpipe')) expect(used).toBe(true); // lavapipe offers 8-lane subgroups
  });
});
