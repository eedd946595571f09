/**
 * The subgroup implicit-GEMM convolution kernels (kernels/conv_gemm_subgroup.wgsl): code generation of the
 * straight-line register tile, and the launchers for conv2d forward, transposed conv (per output phase) and
 * weight gradients (split-K, then a sum over the chunks). Used when the device has subgroups of ≥ 8 lanes;
 * conv.ts falls back to the direct kernels otherwise.
 */
import template from '../../kernels/conv_gemm_subgroup.wgsl';
import type { KernelSource } from '../gpu/kernel.js';
import type { Runtime } from '../gpu/runtime.js';
import { empty, reshapeView, type Tensor } from '../tensor/tensor.js';
import { dummyBuffer } from './launch.js';
import { sum } from './reduce.js';
import { noGrad } from '../autograd/tape.js';
import type { Epilogue } from './conv.js';

const B6 = ['read', 'read', 'read', 'read', 'read_write', 'uniform'] as const;

/** The kernel with a ROWS-row register tile written out. */
function generate(rows: number): string {
  const groups = rows / 8;
  const r = [...Array(rows).keys()];
  const g = [...Array(groups).keys()];
  const gather = g.map((i) => `  let mg${i} = min(m0 + ${8 * i}u + lane, P.M - 1u);`).join('\n');
  const decl = r.map((i) => `  var c${i} = vec4<f32>(0.0);`).join('\n');
  const loadA = g.map((i) => `    let a${i} = loadA4(mg${i}, aoff, live);`).join('\n');
  const fma = r
    .map((i) => {
      const src = `a${Math.floor(i / 8)}`;
      return `    { let a = subgroupBroadcast(${src}, ${i % 8}u); c${i} = fma(vec4<f32>(a.x), b0, c${i}); c${i} = fma(vec4<f32>(a.y), b1, c${i}); c${i} = fma(vec4<f32>(a.z), b2, c${i}); c${i} = fma(vec4<f32>(a.w), b3, c${i}); }`;
    })
    .join('\n');
  const store = r.map((i) => `  store4(c, m0 + ${i}u, c${i}, splitOffset);`).join('\n');
  return template
    .replace('enable subgroups;', `enable subgroups;\n\nconst ROWS: u32 = ${rows}u;`)
    .replace('//{{GATHER_ROWS}}', gather)
    .replace('//{{ACC_DECL}}', decl)
    .replace('//{{LOAD_A}}', loadA)
    .replace('//{{ACC_FMA}}', fma)
    .replace('//{{ACC_STORE}}', store);
}

const sources = new Map<number, KernelSource>();
function source(rows: number): KernelSource {
  let s = sources.get(rows);
  if (!s) {
    s = { name: `conv_gemm_subgroup_r${rows}`, code: generate(rows), bindings: B6, features: ['subgroups'] };
    sources.set(rows, s);
  }
  return s;
}

/** Whether the subgroup kernels can run here (lanes 0..7 of a subgroup gather A rows). */
export function subgroupGemmAvailable(rt: Runtime): boolean {
  if (!rt.tuning.subgroupGemm || !rt.hasFeature('subgroups')) return false;
  const min = rt.adapter.subgroupMinSize;
  return min === undefined || min >= 8;
}

interface Geometry {
  M: number; N: number; K: number;
  Cin: number; H: number; W: number;
  Cout: number; OH: number; OW: number;
  KH: number; KW: number; stride: number; pad: number;
  py?: number; px?: number; kh0?: number; kw0?: number; KTH?: number; KTW?: number; OHp?: number; OWp?: number; c0?: number; c1?: number;
  kChunk?: number;
}

function launch(rt: Runtime, mode: number, g: Geometry, x: Tensor, a: Tensor, out: Tensor, ep: Epilogue, vecA: boolean, z = 1, window = false): void {
  // the vec4 input windows: stride-2 4×4 layers with padding 1 and rows of a multiple of 4 (see the WGSL)
  const windowS2K4 = window && mode === 0;
  const windowT2K4 = window && mode === 1;
  const windowW2K4 = window && mode === 2;
  const rows = g.M <= 8 ? 8 : 32;
  // fewer lanes for narrow outputs, so that lanes are not mostly idle
  const lanesNeeded = Math.ceil(g.N / 4);
  const wg = lanesNeeded >= 64 ? 64 : lanesNeeded > 16 ? 32 : 16;
  const k = rt.kernel(source(rows), { MODE: mode, WG: wg, VEC_A: +vecA, WINDOW_S2K4: +windowS2K4, WINDOW_T2K4: +windowT2K4, WINDOW_W2K4: +windowW2K4 });
  const d = dummyBuffer(rt);
  const u = { py: 0, px: 0, kh0: 0, kw0: 0, KTH: 1, KTW: 1, OHp: 1, OWp: 1, c0: 0, c1: 0, kChunk: 0, ...g, hasScale: +!!ep.scale, hasBias: +!!ep.bias };
  rt.dispatch(k, [x.buffer, a.buffer, ep.scale?.buffer ?? d, ep.bias?.buffer ?? d, out.buffer], u, [Math.ceil(g.N / (4 * wg)), Math.ceil(g.M / rows), z]);
}

/** conv2d forward: x [N,Cin,H,W], w [Cout,Cin,KH,KW] → [N,Cout,OH,OW]. */
export function convForwardGemm(x: Tensor, w: Tensor, OH: number, OW: number, stride: number, pad: number, ep: Epilogue): Tensor {
  const [N, Cin, H, W] = x.shape;
  const [Cout, , KH, KW] = w.shape;
  const y = empty([N, Cout, OH, OW], '', x.rt);
  const K = Cin * KH * KW;
  const window = stride === 2 && KW === 4 && pad === 1 && W % 4 === 0 && OW % 4 === 0;
  launch(x.rt, 0, { M: Cout, N: N * OH * OW, K, Cin, H, W, Cout, OH, OW, KH, KW, stride, pad }, x, w, y, ep, K % 4 === 0, 1, window);
  return y;
}

/** Transposed conv forward: x [N,Cin,H,W], w [Cin,Cout,KH,KW] → [N,Cout,OH,OW], one dispatch per output phase. */
export function convTransposeGemm(x: Tensor, w: Tensor, OH: number, OW: number, stride: number, pad: number, ep: Epilogue): Tensor {
  const [N, Cin, H, W] = x.shape;
  const [, Cout, KH, KW] = w.shape;
  const y = empty([N, Cout, OH, OW], '', x.rt);
  for (let py = 0; py < stride; py++) {
    for (let px = 0; px < stride; px++) {
      const OHp = Math.ceil((OH - py) / stride);
      const OWp = Math.ceil((OW - px) / stride);
      const kh0 = (py + pad) % stride;
      const kw0 = (px + pad) % stride;
      const KTH = Math.ceil((KH - kh0) / stride);
      const KTW = Math.ceil((KW - kw0) / stride);
      if (OHp <= 0 || OWp <= 0) continue;
      if (KTH <= 0 || KTW <= 0) {
        // no tap reaches this phase: its outputs are the epilogue of zero
        throw new Error(`conv_transpose2d: stride ${stride} larger than kernel ${KH}×${KW} leaves phase (${py},${px}) without taps; unsupported`);
      }
      const g: Geometry = {
        M: Cout, N: N * OHp * OWp, K: Cin * KTH * KTW, Cin, H, W, Cout, OH, OW, KH, KW, stride, pad,
        py, px, kh0, kw0, KTH, KTW, OHp, OWp, c0: (py + pad - kh0) / stride, c1: (px + pad - kw0) / stride,
      };
      const window = stride === 2 && KH === 4 && KW === 4 && pad === 1 && W % 4 === 0 && OWp % 4 === 0;
      launch(x.rt, 1, g, x, w, y, ep, false, 1, window);
    }
  }
  return y;
}

/**
 * dW[a,b,kh,kw] = Σ_{n,y,x} g[n,a,y,x] · big[n,b,y·s−p+kh, x·s−p+kw] with the K = N·OH·OW sum split into
 * chunks that run in parallel and are summed afterwards.
 */
export function convWeightGradGemm(g: Tensor, big: Tensor, KH: number, KW: number, stride: number, pad: number): Tensor {
  const [N, A, OH, OW] = g.shape;
  const [, Bc, H, W] = big.shape;
  const M = A;
  const Ncols = Bc * KH * KW;
  const K = N * OH * OW;
  const rt = g.rt;
  // enough chunks to give every core a few workgroups, each chunk still long enough to amortise its setup
  const tiles = Math.ceil(Ncols / 256) * Math.ceil(M / 32);
  const chunks = Math.max(1, Math.min(Math.ceil(K / 256), Math.ceil(16 / tiles)));
  const kChunk = Math.ceil(K / chunks / 4) * 4;
  const splits = Math.ceil(K / kChunk);
  const partial = empty([splits, M, Ncols], '', rt);
  const geo: Geometry = { M, N: Ncols, K, Cin: Bc, H, W, Cout: A, OH, OW, KH, KW, stride, pad, kChunk };
  const window = stride === 2 && KW === 4 && pad === 1 && W % 4 === 0 && OW % 4 === 0;
  launch(rt, 2, geo, big, g, partial, {}, (OH * OW) % 4 === 0, splits, window);
  if (splits === 1) {
    const dw = reshapeView(partial, [A, Bc, KH, KW]);
    partial.dispose();
    return dw;
  }
  const s = noGrad(() => sum(partial, 0));
  partial.dispose();
  const dw = reshapeView(s, [A, Bc, KH, KW]);
  s.dispose();
  return dw;
}
