#!/usr/bin/env node
// Generates the engine-facing GEMM kernels kernels/gemm_subgroup.wgsl and kernels/gemm_tiled.wgsl.
//
//   node scripts/gen-gemm-kernels.mjs                 # writes both files
//   import { subgroupKernel, tiledKernel } from ...   # bench/probes/gemm-probe.mjs builds size variants
//
// test/ops/gemm-kernels.test.ts checks that the committed files are this generator's output.
//
// The kernels are generated because their register tiles must be straight-line code: lavapipe
// (Mesa 25.0) does not unroll a 32-iteration loop over an accumulator array, and a private array
// indexed in a loop becomes per-lane scratch memory (an order of magnitude slower). The generated
// WGSL is plain, commented and self-contained; edit the generator, not the output.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const range = (n) => [...Array(n).keys()];
const X = ['x', 'y', 'z', 'w'];

// ------------------------------------------------------------------------------------------------
// Shared preamble: bindings, overrides, element loaders.
const common = ({ subgroups }) => `${subgroups ? 'enable subgroups;\n\n' : ''}struct Params { M: u32, N: u32, K: u32 }

// A, B are declared as vec4 arrays so the aligned fast path is one 16-byte load; any element is still
// reachable as A[i >> 2u][i & 3u] (a 4-byte load), which the unaligned path uses.
@group(0) @binding(0) var<storage, read> A: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> B: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> C: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;

// Layout of the operands: C[M,N] = op(A) . op(B), all row-major (both flags may be set: A^T . B^T).
override TRANS_A: bool = false;   // false: A is stored [M,K]; true: A is stored [K,M] (computes A^T . B)
override TRANS_B: bool = false;   // false: B is stored [K,N]; true: B is stored [N,K] (computes A . B^T)
// Vector fast paths: 16-byte loads along the operand's contiguous storage dimension. The host sets
// them only when that dimension is a multiple of 4 (otherwise the kernel is still correct, slower):
override VEC_A: bool = false;     // legal iff (TRANS_A ? M : K) % 4 == 0
override VEC_B: bool = false;     // legal iff (TRANS_B ? K : N) % 4 == 0

fn idxA(m: u32, k: u32) -> u32 { if (TRANS_A) { return k * P.M + m; } return m * P.K + k; }
fn idxB(k: u32, n: u32) -> u32 { if (TRANS_B) { return n * P.K + k; } return k * P.N + n; }
fn elemA(i: u32) -> f32 { return A[i >> 2u][i & 3u]; }
fn elemB(i: u32) -> f32 { return B[i >> 2u][i & 3u]; }

// loadA4(m, k) = (A[m,k], A[m,k+1], A[m,k+2], A[m,k+3]); components with k+j >= K are 0.
// Requires m < M and k % 4 == 0. For implicit-GEMM convolution replace the body (A = weights).
fn loadA4(m: u32, k: u32) -> vec4<f32> {
  if (VEC_A && !TRANS_A) { return A[idxA(m, k) >> 2u]; }   // K % 4 == 0: k..k+3 all < K
  let kj = vec4<u32>(k) + vec4<u32>(0u, 1u, 2u, 3u);
  let kc = min(kj, vec4<u32>(P.K - 1u));                 // clamped: every load is in bounds
  let v = vec4<f32>(elemA(idxA(m, kc.x)), elemA(idxA(m, kc.y)), elemA(idxA(m, kc.z)), elemA(idxA(m, kc.w)));
  return select(vec4<f32>(0.0), v, kj < vec4<u32>(P.K));
}

// loadB4(k, n) = (B[k,n], B[k,n+1], B[k,n+2], B[k,n+3]); all 0 if k >= K; columns >= N read a clamped
// (finite, in-bounds) element whose products are never stored. Requires n % 4 == 0 and, with VEC_B,
// n <= N - 4. For implicit-GEMM convolution replace the body (B = im2col view of the input).
fn loadB4(k: u32, n: u32) -> vec4<f32> {
  let kc = min(k, P.K - 1u);
  var v: vec4<f32>;
  if (VEC_B && !TRANS_B) {
    v = B[idxB(kc, n) >> 2u];
  } else {
    let nc = min(vec4<u32>(n) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(P.N - 1u));
    v = vec4<f32>(elemB(idxB(kc, nc.x)), elemB(idxB(kc, nc.y)), elemB(idxB(kc, nc.z)), elemB(idxB(kc, nc.w)));
  }
  return select(vec4<f32>(0.0), v, k < P.K);
}

// Transposed-storage vector loaders, used only with TRANS_x && VEC_x.
// loadAt4(k, m) = (A[m,k], A[m+1,k], A[m+2,k], A[m+3,k]) from A stored [K,M]; 0 if k >= K; m <= M-4.
fn loadAt4(k: u32, m: u32) -> vec4<f32> {
  return select(vec4<f32>(0.0), A[(min(k, P.K - 1u) * P.M + m) >> 2u], k < P.K);
}
// loadBt4(n, k) = (B[k,n], B[k+1,n], B[k+2,n], B[k+3,n]) from B stored [N,K] (K % 4 == 0); n clamped.
fn loadBt4(n: u32, k: u32) -> vec4<f32> {
  return B[(min(n, P.N - 1u) * P.K + k) >> 2u];
}

// Stores row m of the lane's 4-column group starting at n (columns >= N dropped).
fn store4(m: u32, n: u32, v: vec4<f32>) {
  if (m >= P.M) { return; }
  let o = m * P.N + n;
  if (n + 3u < P.N) { C[o] = v.x; C[o + 1u] = v.y; C[o + 2u] = v.z; C[o + 3u] = v.w; return; }
  if (n < P.N) { C[o] = v.x; }
  if (n + 1u < P.N) { C[o + 1u] = v.y; }
  if (n + 2u < P.N) { C[o + 2u] = v.z; }
}
`;

// ------------------------------------------------------------------------------------------------
// Subgroup-broadcast kernel.
export function subgroupKernel({ ROWS = 32, WG = 64 } = {}) {
  if (ROWS % 8) throw new Error('ROWS must be a multiple of 8');
  const G = ROWS / 8;
  let s = `// GEMM, subgroup-broadcast register kernel -- the fast path on lavapipe (generated by
// scripts/gen-gemm-kernels.mjs with ROWS=${ROWS}; do not edit by hand).
//
// C[M,N] = op(A) . op(B), f32, row-major, any M, N, K >= 1 (edge tiles handled in the loaders/stores).
//
// Bindings (group 0): 0 A storage read, 1 B storage read, 2 C storage read_write,
//                     3 uniform Params { M: u32, N: u32, K: u32 }.
// Requirements: feature 'subgroups'; subgroup size >= 8 (lavapipe: 8; lanes 0..7 are used as the
//   row-gather group, so any power-of-two size >= 8 works); buffers padded to 16 bytes;
//   maxComputeInvocationsPerWorkgroup >= WG.
// Overrides: WG (invocations per workgroup, multiple of the subgroup size, default ${WG}),
//   TRANS_A, TRANS_B, VEC_A, VEC_B (see below). ROWS = ${ROWS} is a generator constant.
// Dispatch: x = ceil(N / (4 * WG)), y = ceil(M / ${ROWS}), z = 1.
//
// Work split: a workgroup computes a ${ROWS} x (4*WG) tile of C. Every invocation owns 4 consecutive
// columns (n = 4 * global_invocation_id.x) and ALL ${ROWS} rows of the tile: ${ROWS} vec4 accumulators.
// Per step of 4 k:
//  - B: the invocation loads its own B[k+u, n..n+3] for u = 0..3 (four vec4 loads);
//  - A: lane l of each 8-lane group loads one row, A[m0 + 8g + l, k..k+3] (${G} vec4 loads for ${ROWS}
//    rows), and subgroupBroadcast hands row r to every lane; each row value then feeds 16 FMAs.
//    (TRANS_A && VEC_A: lane l loads A[m0+4l..4l+3, k+u] instead, 4 rows per vec4 along m;
//     TRANS_B && VEC_B: the 4 column vec4s along k are transposed in registers.)
// Why: on lavapipe every storage load inside a loop is executed lane by lane (~10 instructions per
// element), while a broadcast is one extract+splat. Loading A once per 8 rows instead of once per
// lane divides A traffic by 8; ${ROWS} rows x 4 columns of accumulators reuse each loaded B element
// ${ROWS} times. Larger tiles lose again to register spills and instruction-cache misses.
`;
  s += '\n' + common({ subgroups: true });
  s += `
const ROWS: u32 = ${ROWS}u;
override WG: u32 = ${WG}u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(subgroup_invocation_id) sl: u32) {
  let m0 = wid.y * ROWS;
  var n = 4u * (wid.x * WG + lid.x);
  if (VEC_B && !TRANS_B) { n = min(n, P.N - 4u); }   // keep the 16-byte load in bounds; duplicates are not stored
  let nOut = 4u * (wid.x * WG + lid.x);
  // rows this lane gathers for the broadcast (clamped: rows past M load row M-1, never stored)
`;
  for (const g of range(G)) s += `  let mg${g} = min(m0 + ${8 * g}u + (sl & 7u), P.M - 1u);\n`;
  if (ROWS % 32 === 0) {
    s += `  // TRANS_A && VEC_A: first of the 4 rows this lane gathers (M % 4 == 0, so M >= 4)\n`;
    for (const h of range(ROWS / 32)) s += `  let mt${h} = min(m0 + ${32 * h}u + 4u * (sl & 7u), P.M - 4u);\n`;
  }
  s += `\n`;
  for (const r of range(ROWS)) s += `  var c${r} = vec4<f32>(0.0);\n`;
  const fmaRow = (r, a) => `c${r} = fma(vec4<f32>(${a}.x), b0, c${r}); c${r} = fma(vec4<f32>(${a}.y), b1, c${r}); c${r} = fma(vec4<f32>(${a}.z), b2, c${r}); c${r} = fma(vec4<f32>(${a}.w), b3, c${r});`;
  s += `
  for (var k = 0u; k < P.K; k += 4u) {
    // B fragment: bu = B[k+u, n..n+3], u = 0..3
    var b0: vec4<f32>; var b1: vec4<f32>; var b2: vec4<f32>; var b3: vec4<f32>;
    if (TRANS_B && VEC_B) {
      // B stored [N,K]: one vec4 along k per column, transposed in registers (free: SoA)
      let t0 = loadBt4(n, k); let t1 = loadBt4(n + 1u, k); let t2 = loadBt4(n + 2u, k); let t3 = loadBt4(n + 3u, k);
      b0 = vec4<f32>(t0.x, t1.x, t2.x, t3.x); b1 = vec4<f32>(t0.y, t1.y, t2.y, t3.y);
      b2 = vec4<f32>(t0.z, t1.z, t2.z, t3.z); b3 = vec4<f32>(t0.w, t1.w, t2.w, t3.w);
    } else {
      b0 = loadB4(k, n); b1 = loadB4(k + 1u, n); b2 = loadB4(k + 2u, n); b3 = loadB4(k + 3u, n);
    }
`;
  if (ROWS % 32 === 0) {
    s += `    if (TRANS_A && VEC_A) {
      // A stored [K,M]: lane l loads rows m0 + 32h + 4l .. +3 at k+u (vec4 along m); row 32h + 4l + j
      // at k+u is component j of lane l's e{h}_{u}.
`;
    for (const h of range(ROWS / 32)) {
      s += `      let e${h}_0 = loadAt4(k, mt${h}); let e${h}_1 = loadAt4(k + 1u, mt${h}); let e${h}_2 = loadAt4(k + 2u, mt${h}); let e${h}_3 = loadAt4(k + 3u, mt${h});\n`;
    }
    for (const r of range(ROWS)) {
      const h = Math.floor(r / 32), l = Math.floor((r % 32) / 4), j = X[r % 4];
      s += `      { let a = vec4<f32>(subgroupBroadcast(e${h}_0.${j}, ${l}u), subgroupBroadcast(e${h}_1.${j}, ${l}u), subgroupBroadcast(e${h}_2.${j}, ${l}u), subgroupBroadcast(e${h}_3.${j}, ${l}u)); ${fmaRow(r, 'a')} }\n`;
    }
    s += `    } else {\n`;
  } else {
    s += `    {\n`;
  }
  for (const g of range(G)) s += `      let a${g} = loadA4(mg${g}, k);\n`;
  s += `      // row r of the tile: a = A[m0 + r, k..k+3] from lane r % 8 of gather group r / 8\n`;
  for (const r of range(ROWS)) s += `      { let a = subgroupBroadcast(a${Math.floor(r / 8)}, ${r % 8}u); ${fmaRow(r, 'a')} }\n`;
  s += `    }\n`;
  s += `  }\n\n`;
  for (const r of range(ROWS)) s += `  store4(m0 + ${r}u, nOut, c${r});\n`;
  s += `}\n`;
  return s;
}

// ------------------------------------------------------------------------------------------------
// Portable shared-memory tiled kernel.
export function tiledKernel({ TM = 8, TN = 8, TX = 8, TY = 8, BK = 16 } = {}) {
  const BM = TM * TY, BN = TN * TX, T = TX * TY, IM = TM / 4, JN = TN / 4;
  let s = `// GEMM, portable shared-memory tiled kernel (generated by scripts/gen-gemm-kernels.mjs with
// TM=${TM} TN=${TN} TX=${TX} TY=${TY} BK=${BK}; do not edit by hand). No optional features: the fallback
// for adapters without subgroups and the conventional shape for real GPUs.
//
// C[M,N] = op(A) . op(B), f32, row-major, any M, N, K >= 1 (edges: zero-filled tiles, guarded stores).
//
// Bindings (group 0): 0 A storage read, 1 B storage read, 2 C storage read_write,
//                     3 uniform Params { M: u32, N: u32, K: u32 }.
// Requirements: no features; workgroup ${TX}x${TY} = ${T} invocations; ${(BK * (BM + BN) * 4)} bytes of workgroup
//   memory (limit 16384 in core WebGPU); buffers padded to 16 bytes.
// Overrides: TRANS_A, TRANS_B, VEC_A, VEC_B (see below). Tile sizes are generator constants.
// Dispatch: x = ceil(N / ${BN}), y = ceil(M / ${BM}), z = 1.
//
// Work split: a workgroup computes a ${BM} x ${BN} tile of C, stepping through K in chunks of BK = ${BK}.
// Each chunk, all ${T} invocations copy the A tile (${BM} x ${BK}, stored k-major: As[k][m]) and the B tile
// (${BK} x ${BN}, Bs[k][n]) into workgroup memory, reading 16 bytes at a time along each operand's
// contiguous storage dimension (so every layout coalesces on GPUs), then each invocation (tx, ty) accumulates
// a ${TM} x ${TN} register tile: rows 4*(ty + i*${TY}) + q and columns 4*(tx + j*${TX}) + q (i < ${IM}, j < ${JN}, q < 4),
// interleaved so neighbouring invocations read neighbouring vec4s (no bank conflicts). The BK loop is
// unrolled so accumulators stay in registers.
// On lavapipe this is ~5x slower than gemm_subgroup.wgsl: workgroup barriers turn the shader into a
// coroutine whose live registers are spilled at every barrier, and workgroup loads are lane-by-lane.
`;
  s += '\n' + common({ subgroups: false });
  s += `
const BM: u32 = ${BM}u;
const BN: u32 = ${BN}u;
const BK: u32 = ${BK}u;
const T: u32 = ${T}u;
var<workgroup> As: array<vec4<f32>, ${BK * BM / 4}>;   // As[k * BM/4 + m/4][m % 4]
var<workgroup> Bs: array<vec4<f32>, ${BK * BN / 4}>;   // Bs[k * BN/4 + n/4][n % 4]

@compute @workgroup_size(${TX}, ${TY})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) tid: u32) {
  let m0 = wid.y * BM;
  let n0 = wid.x * BN;
`;
  for (const i of range(TM)) for (const j of range(JN)) s += `  var c${i}_${j} = vec4<f32>(0.0);\n`;
  s += `
  for (var k0 = 0u; k0 < P.K; k0 += BK) {
    // A tile -> As[k][m]. Reads go 16 bytes at a time along A's contiguous storage dimension.
    if (TRANS_A && VEC_A) {
      // A stored [K,M] (M % 4 == 0): element (kk, 4 rows) = A[m0 + 4*c4 .. +3, k0 + kk], stored as is.
      for (var e = tid; e < BK * BM / 4u; e += T) {
        let kk = e / (BM / 4u);
        As[e] = loadAt4(k0 + kk, min(m0 + 4u * (e % (BM / 4u)), P.M - 4u));
      }
    } else {
      // A stored [M,K] (or unaligned): element (r, 4 k) = A[m0 + r, k0 + kq .. +3], stored transposed.
      for (var e = tid; e < BM * BK / 4u; e += T) {
        let r = e / (BK / 4u);
        let kq = 4u * (e % (BK / 4u));
        let v = loadA4(min(m0 + r, P.M - 1u), k0 + kq);
        let base = kq * (BM / 4u) + r / 4u;
        let q = r % 4u;
        As[base][q] = v.x;
        As[base + BM / 4u][q] = v.y;
        As[base + 2u * BM / 4u][q] = v.z;
        As[base + 3u * BM / 4u][q] = v.w;
      }
    }
    // B tile -> Bs[k][n].
    if (TRANS_B && VEC_B) {
      // B stored [N,K] (K % 4 == 0): element (column c, 4 k) = B[k0 + kq .. +3, n0 + c], stored transposed.
      for (var e = tid; e < BN * BK / 4u; e += T) {
        let c = e / (BK / 4u);
        let kq = 4u * (e % (BK / 4u));
        var v = vec4<f32>(0.0);
        if (k0 + kq < P.K) { v = loadBt4(n0 + c, k0 + kq); }
        let base = kq * (BN / 4u) + c / 4u;
        let q = c % 4u;
        Bs[base][q] = v.x;
        Bs[base + BN / 4u][q] = v.y;
        Bs[base + 2u * BN / 4u][q] = v.z;
        Bs[base + 3u * BN / 4u][q] = v.w;
      }
    } else {
      // element (kk, 4 columns) = B[k0 + kk, n0 + 4*c4 .. +3], stored as is.
      for (var e = tid; e < BK * BN / 4u; e += T) {
        let kk = e / (BN / 4u);
        var n = n0 + 4u * (e % (BN / 4u));
        if (VEC_B && !TRANS_B) { n = min(n, P.N - 4u); }
        Bs[e] = loadB4(k0 + kk, n);
      }
    }
    workgroupBarrier();
`;
  for (const kk of range(BK)) {
    s += `    {\n`;
    for (const i of range(IM)) s += `      let a${i} = As[${kk * BM / 4}u + lid.y + ${i * TY}u];\n`;
    for (const j of range(JN)) s += `      let b${j} = Bs[${kk * BN / 4}u + lid.x + ${j * TX}u];\n`;
    for (const i of range(TM)) {
      s += `     `;
      for (const j of range(JN)) s += ` c${i}_${j} = fma(vec4<f32>(a${Math.floor(i / 4)}.${X[i % 4]}), b${j}, c${i}_${j});`;
      s += `\n`;
    }
    s += `    }\n`;
  }
  s += `    workgroupBarrier();\n  }\n\n`;
  for (const i of range(TM)) for (const j of range(JN)) {
    s += `  store4(m0 + 4u * (lid.y + ${Math.floor(i / 4) * TY}u) + ${i % 4}u, n0 + 4u * (lid.x + ${j * TX}u), c${i}_${j});\n`;
  }
  s += `}\n`;
  return s;
}

// dispatch helpers matching the header formulas
export const subgroupDispatch = ({ ROWS = 32 } = {}, WG = 64) => (M, N) => [Math.ceil(N / (4 * WG)), Math.ceil(M / ROWS), 1];
export const tiledDispatch = ({ TM = 8, TN = 8, TX = 8, TY = 8 } = {}) => (M, N) => [Math.ceil(N / (TN * TX)), Math.ceil(M / (TM * TY)), 1];

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  writeFileSync(join(root, 'kernels', 'gemm_subgroup.wgsl'), subgroupKernel());
  writeFileSync(join(root, 'kernels', 'gemm_tiled.wgsl'), tiledKernel());
  console.log('wrote kernels/gemm_subgroup.wgsl, kernels/gemm_tiled.wgsl');
}
