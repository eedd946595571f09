// Row-weighted squared error for x of shape [R, P] (rows are images, P = C·H·W):
//   L = Σ_r w_r · Σ_j (a_rj − t_rj)²
// Lets several independent mean-MSE problems share one batch (w_r = 1/(rows in r's group · P)).
//   row_sq:   s_r = Σ_j (a_rj − t_rj)², one workgroup per row (lanes stride over P, then a tree sum)
//   backward: ∂L/∂a_rj = g · w_r · 2(a_rj − t_rj), written as (g·w_r)·(2(a−t)) so that with g = 1 and
//             w_r = 1/N it rounds exactly like kernels/loss.wgsl's mean MSE gradient.
override WG: u32 = 64;

struct Params { R: u32, P: u32 }

@group(0) @binding(0) var<storage, read> sa: array<f32>;
@group(0) @binding(1) var<storage, read> st: array<f32>;
@group(0) @binding(2) var<storage, read_write> ss: array<f32>;
@group(0) @binding(3) var<uniform> sp: Params;

@compute @workgroup_size(WG)
fn row_sq(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let r = wid.y;   // uniform across the workgroup: the barriers stay uniform
  var acc = 0.0;
  if (r < sp.R) {
    let base = r * sp.P;
    for (var j = lid.x; j < sp.P; j += WG) {
      let d = sa[base + j] - st[base + j];
      acc += d * d;
    }
  }
  let total = workgroup_sum(lid.x, acc);
  if (r < sp.R && lid.x == 0u) { ss[r] = total; }
}

@group(0) @binding(0) var<storage, read> ba: array<f32>;
@group(0) @binding(1) var<storage, read> bt: array<f32>;
@group(0) @binding(2) var<storage, read> bw: array<f32>;
@group(0) @binding(3) var<storage, read> bg: array<f32>;
@group(0) @binding(4) var<storage, read_write> bda: array<f32>;
@group(0) @binding(5) var<uniform> bp: Params;

// grid: x over the row in chunks of WG, y = row
@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let r = wid.y;
  let j = wid.x * WG + lid.x;
  if (r >= bp.R || j >= bp.P) { return; }
  let i = r * bp.P + j;
  let d = 2.0 * (ba[i] - bt[i]);
  bda[i] = bg[0] * bw[r] * d;
}
//#include "lib/workgroup_sum.wgsl"
