// The paper's weight normalisation, fused: the layer never materialises w = v/‖v‖. Instead `scale` computes,
// per output channel o, s_o = factor · γ_o / ‖v_o‖ (γ_o = 1 for the strict form), which the conv/matmul
// kernels apply in their epilogue: y = s_o · (v_o ⋆ x) + β_o. `factor` is sqrt(stride_h·stride_w) for
// transposed convolutions (each output pixel sees only 1/(s_h·s_w) of the taps), else 1.
// ‖v_o‖ = sqrt(Σ v_o² + eps) over every element feeding output o. Layouts:
//   OUT_MAJOR (conv [O,I,kh,kw], linear [O,I]): element j of channel o is v[o·J + j];
//   otherwise (transposed conv [I,O,kh,kw]):    j = i·KK + k  ↦ v[(i·O + o)·KK + k].
// One workgroup per output channel (workgroup_sum comes from lib/channel.wgsl).

override WG: u32 = 64;
override OUT_MAJOR: bool = true;
override AFFINE: bool = false;

struct Params { O: u32, J: u32, KK: u32, eps: f32, factor: f32 }

@group(0) @binding(0) var<storage, read> v: array<f32>;
@group(0) @binding(1) var<storage, read> gain: array<f32>;
@group(0) @binding(2) var<storage, read_write> scale_out: array<f32>;   // s_o
@group(0) @binding(3) var<storage, read_write> norm_out: array<f32>;    // ‖v_o‖ (kept for backward)
@group(0) @binding(4) var<uniform> p: Params;

fn at(o: u32, j: u32) -> u32 {
  if (OUT_MAJOR) { return o * p.J + j; }
  return ((j / p.KK) * p.O + o) * p.KK + j % p.KK;
}

@compute @workgroup_size(WG)
fn scale(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let o = wid.x;
  var acc = 0.0;
  for (var j = lid.x; j < p.J; j += WG) {
    let e = v[at(o, j)];
    acc += e * e;
  }
  let n = sqrt(workgroup_sum(lid.x, acc) + p.eps);
  if (lid.x == 0u) {
    var g = 1.0;
    if (AFFINE) { g = gain[o]; }
    scale_out[o] = p.factor * g / n;
    norm_out[o] = n;
  }
}

// Backward. G = ∂L/∂w_eff for the effective weight w_eff = s_o · v_o (the plain weight gradient of the conv
// or matmul, computed with dy). Then, exactly as autograd of the formula gives (the projected gradient,
// with the sum — not the paper code's pre-May-2017 mean — in the projection):
//   ∂L/∂v_o = s_o · (G_o − v_o · (v_o·G_o) / ‖v_o‖²)     ∂L/∂γ_o = factor · (v_o·G_o) / ‖v_o‖
@group(0) @binding(0) var<storage, read> bv: array<f32>;
@group(0) @binding(1) var<storage, read> bG: array<f32>;
@group(0) @binding(2) var<storage, read> bscale: array<f32>;            // s_o from `scale`
@group(0) @binding(3) var<storage, read> bnorm: array<f32>;             // ‖v_o‖ from `scale`
@group(0) @binding(4) var<storage, read_write> dv: array<f32>;
@group(0) @binding(5) var<storage, read_write> dgain: array<f32>;
@group(0) @binding(6) var<uniform> bp: Params;

fn bat(o: u32, j: u32) -> u32 {
  if (OUT_MAJOR) { return o * bp.J + j; }
  return ((j / bp.KK) * bp.O + o) * bp.KK + j % bp.KK;
}

@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let o = wid.x;
  var acc = 0.0;
  for (var j = lid.x; j < bp.J; j += WG) {
    let k = bat(o, j);
    acc += bv[k] * bG[k];
  }
  let dot = workgroup_sum(lid.x, acc);
  let s = bscale[o];
  let n = bnorm[o];
  let proj = dot / (n * n);
  for (var j = lid.x; j < bp.J; j += WG) {
    let k = bat(o, j);
    dv[k] = s * (bG[k] - bv[k] * proj);
  }
  if (AFFINE && lid.x == 0u) { dgain[o] = bp.factor * dot / n; }
}

// The same two passes with one lane per output channel and no barriers: for layers with many output channels
// and short rows (G's input linear layer: 4096 channels of 128), where a workgroup per channel spends most of
// its time in the reduction tree. Same bindings as above.
@compute @workgroup_size(WG)
fn scale_lanes(@builtin(global_invocation_id) gid: vec3<u32>) {
  let o = gid.x;
  if (o >= p.O) { return; }
  var acc = 0.0;
  for (var j = 0u; j < p.J; j++) {
    let e = v[at(o, j)];
    acc += e * e;
  }
  let n = sqrt(acc + p.eps);
  var g = 1.0;
  if (AFFINE) { g = gain[o]; }
  scale_out[o] = p.factor * g / n;
  norm_out[o] = n;
}

@compute @workgroup_size(WG)
fn backward_lanes(@builtin(global_invocation_id) gid: vec3<u32>) {
  let o = gid.x;
  if (o >= bp.O) { return; }
  var dot = 0.0;
  for (var j = 0u; j < bp.J; j++) {
    let k = bat(o, j);
    dot += bv[k] * bG[k];
  }
  let s = bscale[o];
  let n = bnorm[o];
  let proj = dot / (n * n);
  for (var j = 0u; j < bp.J; j++) {
    let k = bat(o, j);
    dv[k] = s * (bG[k] - bv[k] * proj);
  }
  if (AFFINE) { dgain[o] = bp.factor * dot / n; }
}
//#include "lib/channel.wgsl"
