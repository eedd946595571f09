// Portable matmul C[M,N] = op(A)·op(B) (+ optional per-column scale and bias, for fused WN linear layers).
// op(A) is A[M,K] or, with TRANS_A, Aᵀ where A is stored [K,M]; likewise B[K,N] or Bᵀ with B stored [N,K].
// Each workgroup computes a TM×TN tile from TK-deep slices staged in workgroup memory; each lane owns a
// 4×4 register block. Dispatch: (ceil(N/64), ceil(M/64), batch).

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override HAS_SCALE: bool = false;  // C = acc * colScale[n] (+ colBias[n] with HAS_BIAS)
override HAS_BIAS: bool = false;

const TM: u32 = 64u;
const TN: u32 = 64u;
const TK: u32 = 16u;

struct Params { M: u32, N: u32, K: u32 }
@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<f32>;
@group(0) @binding(2) var<storage, read> colScale: array<f32>;
@group(0) @binding(3) var<storage, read> colBias: array<f32>;
@group(0) @binding(4) var<storage, read_write> C: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

var<workgroup> tileA: array<f32, 1024>;   // [TK][TM]
var<workgroup> tileB: array<f32, 1024>;   // [TK][TN]

fn loadA(m: u32, k: u32) -> f32 {
  if (m >= p.M || k >= p.K) { return 0.0; }
  if (TRANS_A) { return A[k * p.M + m]; }
  return A[m * p.K + k];
}
fn loadB(k: u32, n: u32) -> f32 {
  if (k >= p.K || n >= p.N) { return 0.0; }
  if (TRANS_B) { return B[n * p.K + k]; }
  return B[k * p.N + n];
}

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let m0 = wid.y * TM;
  let n0 = wid.x * TN;
  var acc: array<vec4<f32>, 4>;
  for (var k0 = 0u; k0 < p.K; k0 += TK) {
    // 256 lanes stage 1024 values of each tile: 4 each
    for (var t = 0u; t < 4u; t++) {
      let e = li + t * 256u;
      let kk = e / TM;
      let mm = e % TM;
      tileA[e] = loadA(m0 + mm, k0 + kk);
      tileB[e] = loadB(k0 + kk, n0 + mm);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      let a = vec4<f32>(tileA[kk * TM + lid.y * 4u], tileA[kk * TM + lid.y * 4u + 1u],
                        tileA[kk * TM + lid.y * 4u + 2u], tileA[kk * TM + lid.y * 4u + 3u]);
      let b = vec4<f32>(tileB[kk * TN + lid.x * 4u], tileB[kk * TN + lid.x * 4u + 1u],
                        tileB[kk * TN + lid.x * 4u + 2u], tileB[kk * TN + lid.x * 4u + 3u]);
      acc[0] += a.x * b;
      acc[1] += a.y * b;
      acc[2] += a.z * b;
      acc[3] += a.w * b;
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let m = m0 + lid.y * 4u + i;
    if (m >= p.M) { continue; }
    for (var j = 0u; j < 4u; j++) {
      let n = n0 + lid.x * 4u + j;
      if (n >= p.N) { continue; }
      var v = acc[i][j];
      if (HAS_SCALE) { v = v * colScale[n]; }
      if (HAS_BIAS) { v = v + colBias[n]; }
      C[m * p.N + n] = v;
    }
  }
}
