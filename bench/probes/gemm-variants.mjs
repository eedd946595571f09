// WGSL generators for the GEMM probe (bench/probes/gemm-probe.mjs).
//
// Every generated kernel follows the engine contract:
//   C[M,N] = op(A) · op(B), row-major f32 storage buffers,
//   group 0: binding 0 A (storage, read), 1 B (storage, read), 2 C (storage, read_write),
//            binding 3 params (uniform struct Params { M: u32, N: u32, K: u32 }).
//   layout 'NN': A is [M,K], B is [K,N];  'TN': A is stored [K,M] (Aᵀ·B);  'NT': B is stored [N,K] (A·Bᵀ).
// The generators emit fully unrolled straight-line code (explicit scalar accumulators) so that the
// register tile is guaranteed to live in registers whatever the driver's loop unroller does.
// A variant is { name, code, constants, dispatch(M,N,K) -> [x,y,z], features: [] }.

const header = (opts = {}) => `${opts.subgroups ? 'enable subgroups;\n' : ''}
struct Params { M: u32, N: u32, K: u32 }
@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<f32>;
@group(0) @binding(2) var<storage, read_write> C: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;
`;

export const loadFns = (layout) => `
fn loadA(m: u32, k: u32) -> f32 { return A[${layout === 'TN' ? 'k * P.M + m' : 'm * P.K + k'}]; }
fn loadB(k: u32, n: u32) -> f32 { return B[${layout === 'NT' ? 'n * P.K + k' : 'k * P.N + n'}]; }
`;

const cdiv = (a, b) => Math.ceil(a / b);
const range = (n) => [...Array(n).keys()];

// ---------------------------------------------------------------------------------------------
// bc: "broadcast-A" register kernel, no shared memory, no subgroups.
// A 1-D workgroup of WG lanes shares one block of R rows (m0 = workgroup_id.y * R), so every A
// address depends only on workgroup_id, the uniforms and the loop counter: the driver sees it as
// dynamically uniform and emits one scalar load + broadcast per value (no gather). Each lane owns
// CC columns; 'strided' puts them at n = nb + lane + c*WG (each gather of B is 8 consecutive
// floats), 'contig' at n = nb + lane*CC + c.
export function bc({ R = 16, CC = 2, WG = 64, KU = 1, cols = 'strided', layout = 'NN', clampRows = true }) {
  const colExpr = (c) => cols === 'strided' ? `nb + lid.x + ${c}u * WG` : `nb + lid.x * ${CC}u + ${c}u`;
  const body = (u) => {
    let s = '';
    for (const c of range(CC)) s += `      let b${c}_${u} = loadB(k + ${u}u, nc${c});\n`;
    for (const r of range(R)) {
      s += `      { let a = loadA(mr${r}, k + ${u}u);`;
      for (const c of range(CC)) s += ` acc${r}_${c} = fma(a, b${c}_${u}, acc${r}_${c});`;
      s += ` }\n`;
    }
    return s;
  };
  let code = header() + loadFns(layout) + `
override WG: u32 = ${WG};
@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let m0 = wg.y * ${R}u;
  let nb = wg.x * (WG * ${CC}u);
`;
  for (const r of range(R)) code += `  let mr${r} = ${clampRows ? `min(m0 + ${r}u, P.M - 1u)` : `m0 + ${r}u`};\n`;
  for (const c of range(CC)) code += `  let n${c} = ${colExpr(c)}; let nc${c} = min(n${c}, P.N - 1u);\n`;
  for (const r of range(R)) for (const c of range(CC)) code += `  var acc${r}_${c} = 0.0;\n`;
  code += `  var k = 0u;\n`;
  if (KU > 1) code += `  while (k + ${KU}u <= P.K) {\n${range(KU).map(body).join('')}      k += ${KU}u;\n  }\n`;
  code += `  while (k < P.K) {\n${body(0)}      k += 1u;\n  }\n`;
  for (const r of range(R)) {
    code += `  if (m0 + ${r}u < P.M) {\n`;
    for (const c of range(CC)) code += `    if (n${c} < P.N) { C[(m0 + ${r}u) * P.N + n${c}] = acc${r}_${c}; }\n`;
    code += `  }\n`;
  }
  code += `}\n`;
  return {
    name: `bc_R${R}_C${CC}_wg${WG}_ku${KU}_${cols}${layout === 'NN' ? '' : '_' + layout}`,
    code, constants: {}, features: [], layout,
    dispatch: (M, N) => [cdiv(N, WG * CC), cdiv(M, R), 1],
  };
}

// ---------------------------------------------------------------------------------------------
// sg: subgroup-broadcast kernel. Subgroup lanes (8 on lavapipe) each gather one row of an 8-row
// group of A (divergent load), then every lane takes row r's value with subgroupBroadcast(x, r%8)
// (or subgroupShuffle). Each lane owns CC columns (strided by WG) x R rows of accumulators.
export function sg({ R = 16, CC = 2, WG = 64, KU = 1, op = 'broadcast', cols = 'strided', layout = 'NN' }) {
  if (R % 8) throw new Error('R must be a multiple of 8');
  const G = R / 8;
  const body = (u) => {
    let s = '';
    for (const c of range(CC)) s += `      let b${c}_${u} = loadB(k + ${u}u, nc${c});\n`;
    for (const g of range(G)) s += `      let ag${g}_${u} = loadA(ml${g}, k + ${u}u);\n`;
    for (const r of range(R)) {
      const g = Math.floor(r / 8), l = r % 8;
      const src = op === 'broadcast' ? `subgroupBroadcast(ag${g}_${u}, ${l}u)` : `subgroupShuffle(ag${g}_${u}, ${l}u)`;
      s += `      { let a = ${src};`;
      for (const c of range(CC)) s += ` acc${r}_${c} = fma(a, b${c}_${u}, acc${r}_${c});`;
      s += ` }\n`;
    }
    return s;
  };
  let code = header({ subgroups: true }) + loadFns(layout) + `
override WG: u32 = ${WG};
@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(subgroup_invocation_id) sl: u32) {
  let m0 = wg.y * ${R}u;
  let nb = wg.x * (WG * ${CC}u);
`;
  for (const g of range(G)) code += `  let ml${g} = min(m0 + ${g * 8}u + (sl & 7u), P.M - 1u);\n`;
  for (const c of range(CC)) code += `  let n${c} = ${cols === 'strided' ? `nb + lid.x + ${c}u * WG` : `nb + lid.x * ${CC}u + ${c}u`}; let nc${c} = min(n${c}, P.N - 1u);\n`;
  for (const r of range(R)) for (const c of range(CC)) code += `  var acc${r}_${c} = 0.0;\n`;
  code += `  var k = 0u;\n`;
  if (KU > 1) code += `  while (k + ${KU}u <= P.K) {\n${range(KU).map(body).join('')}      k += ${KU}u;\n  }\n`;
  code += `  while (k < P.K) {\n${body(0)}      k += 1u;\n  }\n`;
  for (const r of range(R)) {
    code += `  if (m0 + ${r}u < P.M) {\n`;
    for (const c of range(CC)) code += `    if (n${c} < P.N) { C[(m0 + ${r}u) * P.N + n${c}] = acc${r}_${c}; }\n`;
    code += `  }\n`;
  }
  code += `}\n`;
  return {
    name: `sg_${op}_${cols}_R${R}_C${CC}_wg${WG}_ku${KU}${layout === 'NN' ? '' : '_' + layout}`,
    code, constants: {}, features: ['subgroups'], layout,
    dispatch: (M, N) => [cdiv(N, WG * CC), cdiv(M, R), 1],
  };
}

// ---------------------------------------------------------------------------------------------
// tiled: classic shared-memory kernel. Workgroup (TX, TY); thread (tx, ty) owns TM x TN outputs
// at rows ty + i*TY and columns tx + j*TX of a BM x BN tile (BM = TM*TY, BN = TN*TX); each K step
// of BK cooperatively copies an A tile [BM x BK] and a B tile [BK x BN] into workgroup memory.
export function tiled({ TM = 4, TN = 4, TX = 16, TY = 16, BK = 16, layout = 'NN' }) {
  const BM = TM * TY, BN = TN * TX, T = TX * TY;
  let code = header() + loadFns(layout) + `
const BM = ${BM}u; const BN = ${BN}u; const BK = ${BK}u; const T = ${T}u;
var<workgroup> As: array<f32, ${BM * BK}>;
var<workgroup> Bs: array<f32, ${BK * BN}>;
@compute @workgroup_size(${TX}, ${TY})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(local_invocation_index) tid: u32) {
  let m0 = wg.y * BM; let n0 = wg.x * BN;
`;
  for (const i of range(TM)) for (const j of range(TN)) code += `  var acc${i}_${j} = 0.0;\n`;
  code += `  for (var k0 = 0u; k0 < P.K; k0 += BK) {
    for (var e = tid; e < BM * BK; e += T) {
      let r = ${layout === 'TN' ? 'e % BM' : 'e / BK'}; let kk = ${layout === 'TN' ? 'e / BM' : 'e % BK'};
      let m = m0 + r; let k = k0 + kk;
      var v = 0.0; if (m < P.M && k < P.K) { v = loadA(m, k); }
      As[kk * BM + r] = v;
    }
    for (var e = tid; e < BK * BN; e += T) {
      let kk = ${layout === 'NT' ? 'e % BK' : 'e / BN'}; let c = ${layout === 'NT' ? 'e / BK' : 'e % BN'};
      let n = n0 + c; let k = k0 + kk;
      var v = 0.0; if (n < P.N && k < P.K) { v = loadB(k, n); }
      Bs[kk * BN + c] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
`;
  for (const i of range(TM)) code += `      let a${i} = As[kk * BM + lid.y + ${i * TY}u];\n`;
  for (const j of range(TN)) code += `      let b${j} = Bs[kk * BN + lid.x + ${j * TX}u];\n`;
  for (const i of range(TM)) for (const j of range(TN)) code += `      acc${i}_${j} = fma(a${i}, b${j}, acc${i}_${j});\n`;
  code += `    }\n    workgroupBarrier();\n  }\n`;
  for (const i of range(TM)) for (const j of range(TN))
    code += `  { let m = m0 + lid.y + ${i * TY}u; let n = n0 + lid.x + ${j * TX}u; if (m < P.M && n < P.N) { C[m * P.N + n] = acc${i}_${j}; } }\n`;
  code += `}\n`;
  return {
    name: `tiled_${BM}x${BN}_t${TM}x${TN}_wg${TX}x${TY}_bk${BK}${layout === 'NN' ? '' : '_' + layout}`,
    code, constants: {}, features: [], layout,
    dispatch: (M, N) => [cdiv(N, BN), cdiv(M, BM), 1],
  };
}

// tiled1d: shared-memory kernel with a 1-D workgroup along n: all lanes share the BM rows, so the
// reads of the A tile from workgroup memory are uniform (scalar) on lavapipe; B is read straight
// from global memory (each lane its own columns), only A goes through workgroup memory.
export function tiled1d({ BM = 16, CC = 2, WG = 64, BK = 32, layout = 'NN' }) {
  const BN = WG * CC;
  let code = header() + loadFns(layout) + `
const BM = ${BM}u; const BK = ${BK}u;
var<workgroup> As: array<f32, ${BM * BK}>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let m0 = wg.y * BM; let nb = wg.x * ${BN}u;
`;
  for (const c of range(CC)) code += `  let n${c} = nb + lid.x + ${c * WG}u; let nc${c} = min(n${c}, P.N - 1u);\n`;
  for (const r of range(BM)) for (const c of range(CC)) code += `  var acc${r}_${c} = 0.0;\n`;
  code += `  for (var k0 = 0u; k0 < P.K; k0 += BK) {
    for (var e = lid.x; e < BM * BK; e += ${WG}u) {
      let r = e / BK; let kk = e % BK; let m = m0 + r; let k = k0 + kk;
      var v = 0.0; if (m < P.M && k < P.K) { v = loadA(m, k); }
      As[kk * BM + r] = v;
    }
    workgroupBarrier();
    let kn = min(BK, P.K - k0);
    for (var kk = 0u; kk < kn; kk++) {
`;
  for (const c of range(CC)) code += `      let b${c} = loadB(k0 + kk, nc${c});\n`;
  for (const r of range(BM)) {
    code += `      { let a = As[kk * BM + ${r}u];`;
    for (const c of range(CC)) code += ` acc${r}_${c} = fma(a, b${c}, acc${r}_${c});`;
    code += ` }\n`;
  }
  code += `    }\n    workgroupBarrier();\n  }\n`;
  for (const r of range(BM)) for (const c of range(CC))
    code += `  if (m0 + ${r}u < P.M && n${c} < P.N) { C[(m0 + ${r}u) * P.N + n${c}] = acc${r}_${c}; }\n`;
  code += `}\n`;
  return {
    name: `tiled1d_R${BM}_C${CC}_wg${WG}_bk${BK}${layout === 'NN' ? '' : '_' + layout}`,
    code, constants: {}, features: [], layout,
    dispatch: (M, N) => [cdiv(N, BN), cdiv(M, BM), 1],
  };
}

// ---------------------------------------------------------------------------------------------
// sgv: subgroup-broadcast kernel with vec4 loads (A and B declared array<vec4<f32>>; this probe
// version assumes K % 4 == 0 and N % 4 == 0). Lavapipe (Mesa 25.0) turns EVERY storage load in a
// loop into a per-lane scalar loop, so the design minimises loaded elements per FMA:
//  - A: lane l of each 8-lane group loads A[m0 + 8g + l, k..k+3] (one vec4 per 8 rows per 4 k),
//       then every row value reaches all lanes with subgroupBroadcast (extract + splat);
//  - B: lane owns CV groups of 4 consecutive columns; per k it loads one vec4 per group.
// Per lane: R rows x 4*CV columns of accumulators.
export function sgv({ R = 16, CV = 1, WG = 8, layout = 'NN', aVec = true, bVec = true, SG = 8, KU = 4 }) {
  if (R % SG) throw new Error('R must be a multiple of SG');
  const G = R / SG;
  const hdr = `enable subgroups;
struct Params { M: u32, N: u32, K: u32 }
@group(0) @binding(0) var<storage, read> A: array<${aVec ? 'vec4<f32>' : 'f32'}>;
@group(0) @binding(1) var<storage, read> B: array<${bVec ? 'vec4<f32>' : 'f32'}>;
@group(0) @binding(2) var<storage, read_write> C: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;
fn loadA4(m: u32, k: u32) -> vec4<f32> { ${aVec ? 'return A[(m * P.K + k) >> 2u];' : 'let i = m * P.K + k; return vec4(A[i], A[i + 1u], A[i + 2u], A[i + 3u]);'} }
fn loadB4(k: u32, n: u32) -> vec4<f32> { ${bVec ? 'return B[(k * P.N + n) >> 2u];' : 'let i = k * P.N + n; return vec4(B[i], B[i + 1u], B[i + 2u], B[i + 3u]);'} }
`;
  const comps = ['x', 'y', 'z', 'w'];
  let body = '';
  for (const q of range(KU / 4)) {
    const kq = q ? `k + ${4 * q}u` : 'k';
    body += '   {\n';
    for (const g of range(G)) body += `    let ag${g}_${q} = loadA4(ml${g}, ${kq});\n`;
    for (const u of range(4)) {
      for (const c of range(CV)) body += `    let b${c}_${u} = loadB4(${kq} + ${u}u, nc${c});\n`;
    }
    for (const r of range(R)) {
      const g = Math.floor(r / SG), l = r % SG;
      body += `    { let a = subgroupBroadcast(ag${g}_${q}, ${l}u);`;
      for (const c of range(CV)) body += ` acc${r}_${c} = fma(vec4(a.x), b${c}_0, acc${r}_${c}); acc${r}_${c} = fma(vec4(a.y), b${c}_1, acc${r}_${c}); acc${r}_${c} = fma(vec4(a.z), b${c}_2, acc${r}_${c}); acc${r}_${c} = fma(vec4(a.w), b${c}_3, acc${r}_${c});`;
      body += ` }\n`;
    }
    body += '   }\n';
  }
  let code = hdr + `
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(subgroup_invocation_id) sl: u32) {
  let m0 = wg.y * ${R}u;
  let nb = wg.x * ${WG * 4 * CV}u;
`;
  for (const g of range(G)) code += `  let ml${g} = min(m0 + ${g * SG}u + (sl & ${SG - 1}u), P.M - 1u);\n`;
  for (const c of range(CV)) code += `  let n${c} = nb + 4u * (lid.x + ${c * WG}u); let nc${c} = min(n${c}, P.N - 4u);\n`;
  for (const r of range(R)) for (const c of range(CV)) code += `  var acc${r}_${c} = vec4<f32>();\n`;
  code += `  for (var k = 0u; k < P.K; k += ${KU}u) {\n${body}  }\n`;
  for (const r of range(R)) for (const c of range(CV)) {
    code += `  if (m0 + ${r}u < P.M && n${c} < P.N) { let o = (m0 + ${r}u) * P.N + n${c}; `;
    code += comps.map((q, j) => `C[o + ${j}u] = acc${r}_${c}.${q};`).join(' ') + ` }\n`;
  }
  code += `}\n`;
  return {
    name: `sgv_R${R}_CV${CV}_wg${WG}${KU !== 4 ? '_ku' + KU : ''}${SG !== 8 ? '_sg' + SG : ''}${aVec ? '' : '_aS'}${bVec ? '' : '_bS'}`,
    code, constants: {}, features: ['subgroups'], layout, aligned4: true,
    dispatch: (M, N) => [cdiv(N, WG * 4 * CV), cdiv(M, R), 1],
  };
}

// ---------------------------------------------------------------------------------------------
// tiledv: shared-memory kernel written for both real GPUs and lavapipe: vec4 everywhere, the BK
// inner loop fully unrolled (so accumulators are only loop-carried across K tiles), thread (tx,ty)
// owns TM x TN outputs as TM rows x TN/4 vec4 columns, rows 4*(ty + i*TY) + q, columns
// 4*(tx + j*TX) + q (interleaved so neighbouring threads read neighbouring vec4s: no bank
// conflicts on GPUs). Probe version: aligned (K % 4 == 0, N % 4 == 0).
export function tiledv({ TM = 8, TN = 8, TX = 8, TY = 8, BK = 16, layout = 'NN' }) {
  const BM = TM * TY, BN = TN * TX, T = TX * TY, IM = TM / 4, JN = TN / 4;
  let code = `
struct Params { M: u32, N: u32, K: u32 }
@group(0) @binding(0) var<storage, read> A: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> B: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> C: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;
const BM = ${BM}u; const BN = ${BN}u; const BK = ${BK}u; const T = ${T}u;
var<workgroup> As: array<vec4<f32>, ${BK * BM / 4}>;   // As[k][m/4]
var<workgroup> Bs: array<vec4<f32>, ${BK * BN / 4}>;   // Bs[k][n/4]
@compute @workgroup_size(${TX}, ${TY})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(local_invocation_index) tid: u32) {
  let m0 = wg.y * BM; let n0 = wg.x * BN;
`;
  for (const i of range(TM)) for (const j of range(JN)) code += `  var acc${i}_${j} = vec4<f32>();\n`;
  code += `  for (var k0 = 0u; k0 < P.K; k0 += BK) {
    // A tile: BM rows x BK k, read as vec4 along k, stored transposed (As[k][m]).
    for (var e = tid; e < BM * BK / 4u; e += T) {
      let r = e / (BK / 4u); let kq = (e % (BK / 4u)) * 4u;
      let m = min(m0 + r, P.M - 1u); let k = k0 + kq;
      var v = vec4<f32>();
      if (k < P.K) { v = A[(m * P.K + k) >> 2u]; }
      let base = kq * (BM / 4u) + r / 4u; let q = r % 4u;
      As[base][q] = v.x; As[base + BM / 4u][q] = v.y; As[base + 2u * BM / 4u][q] = v.z; As[base + 3u * BM / 4u][q] = v.w;
    }
    // B tile: BK rows x BN columns, vec4 along n, stored as is.
    for (var e = tid; e < BK * BN / 4u; e += T) {
      let kk = e / (BN / 4u); let c4 = e % (BN / 4u);
      let k = k0 + kk; let n = min(n0 + 4u * c4, P.N - 4u);
      var v = vec4<f32>();
      if (k < P.K) { v = B[(k * P.N + n) >> 2u]; }
      Bs[e] = v;
    }
    workgroupBarrier();
`;
  for (const kk of range(BK)) {
    code += `    {\n`;
    for (const i of range(IM)) code += `      let a${i} = As[${kk * BM / 4}u + lid.y + ${i * TY}u];\n`;
    for (const j of range(JN)) code += `      let b${j} = Bs[${kk * BN / 4}u + lid.x + ${j * TX}u];\n`;
    for (const i of range(TM)) for (const j of range(JN)) code += `      acc${i}_${j} = fma(vec4(a${Math.floor(i / 4)}[${i % 4}]), b${j}, acc${i}_${j});\n`;
    code += `    }\n`;
  }
  code += `    workgroupBarrier();\n  }\n`;
  for (const i of range(TM)) for (const j of range(JN)) {
    code += `  { let m = m0 + 4u * (lid.y + ${Math.floor(i / 4) * TY}u) + ${i % 4}u; let n = n0 + 4u * (lid.x + ${j * TX}u);\n`;
    code += `    if (m < P.M && n < P.N) { let o = m * P.N + n; C[o] = acc${i}_${j}.x; C[o + 1u] = acc${i}_${j}.y; C[o + 2u] = acc${i}_${j}.z; C[o + 3u] = acc${i}_${j}.w; } }\n`;
  }
  code += `}\n`;
  return {
    name: `tiledv_${BM}x${BN}_t${TM}x${TN}_wg${TX}x${TY}_bk${BK}`,
    code, constants: {}, features: [], layout, aligned4: true,
    dispatch: (M, N) => [cdiv(N, BN), cdiv(M, BM), 1],
  };
}
