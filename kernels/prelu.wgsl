// PReLU and the paper's TPReLU over [N, C, S] with per-channel slope a and threshold b:
//   y = x                 if x − b ≥ 0
//   y = a·(x − b) + b     otherwise          (PReLU is b = 0: HAS_B false)
// forward runs on the flat quad grid of lib/channel.wgsl; backward is one pass, a workgroup per channel that
// writes dx and reduces ∂a, ∂b together (they read the same x and dy); backward_dx, for frozen parameters, writes
// dx alone on the quad grid.

override WG: u32 = 64;
override HAS_B: bool = true;
override Q4: bool = true;      // forward: S % 4 == 0, a run of 4 elements lies in one channel
override Q: u32 = 1u;          // backward: elements per walk step (4 where S % 4 == 0)
override HAS_DX: bool = true;  // backward: write dx (false: only the parameter gradients)

struct Params { N: u32, C: u32, S: u32 }

@group(0) @binding(0) var<storage, read> fx: array<f32>;
@group(0) @binding(1) var<storage, read> fa: array<f32>;
@group(0) @binding(2) var<storage, read> fb: array<f32>;
@group(0) @binding(3) var<storage, read_write> fy: array<f32>;
@group(0) @binding(4) var<uniform> fp: Params;

// y for element i of a channel with slope a and threshold b
fn forward_at(i: u32, a: f32, b: f32) {
  let t = fx[i] - b;
  fy[i] = select(a * t + b, fx[i], t >= 0.0);
}

fn threshold_of(c: u32) -> f32 {
  if (HAS_B) { return fb[c]; }
  return 0.0;
}

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
           @builtin(local_invocation_id) lid: vec3<u32>) {
  let n = fp.N * fp.C * fp.S;
  let base = quad_base(wid, nwg, lid);
  for (var q = 0u; q < QUADS; q++) {
    let e0 = (base + q) * 4u;
    if (e0 >= n) { return; }
    if (Q4) {
      let c = channel_at(e0, fp.S, fp.C);
      let a = fa[c];
      let b = threshold_of(c);
      for (var k = 0u; k < 4u; k++) { forward_at(e0 + k, a, b); }
    } else {
      for (var k = 0u; k < 4u; k++) {
        if (e0 + k < n) {
          let c = channel_at(e0 + k, fp.S, fp.C);
          forward_at(e0 + k, fa[c], threshold_of(c));
        }
      }
    }
  }
}

// per channel: dx = dy·(x − b ≥ 0 ? 1 : a),  ∂L/∂a = Σ_{x−b<0} (x − b)·dy,  ∂L/∂b = Σ_{x−b<0} (1 − a)·dy
@group(0) @binding(0) var<storage, read> px: array<f32>;
@group(0) @binding(1) var<storage, read> pa: array<f32>;
@group(0) @binding(2) var<storage, read> pb: array<f32>;
@group(0) @binding(3) var<storage, read> pdy: array<f32>;
@group(0) @binding(4) var<storage, read_write> pdx: array<f32>;
@group(0) @binding(5) var<storage, read_write> da: array<f32>;
@group(0) @binding(6) var<storage, read_write> db: array<f32>;
@group(0) @binding(7) var<uniform> pp: Params;

@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let c = wid.x;
  let Sq = pp.S / Q;
  let steps = pp.N * Sq;
  var b = 0.0;
  if (HAS_B) { b = pb[c]; }
  let a = pa[c];
  var sa = 0.0;
  var sneg = 0.0;
  var w = chan_walk(lid.x, Sq);
  for (var r = lid.x; r < steps; r += WG) {
    let k0 = chan_index(w, pp.C, c, Sq) * Q;
    for (var q = 0u; q < Q; q++) {
      let k = k0 + q;
      let t = px[k] - b;
      let g = pdy[k];
      if (HAS_DX) { pdx[k] = g * select(a, 1.0, t >= 0.0); }
      if (t < 0.0) {
        sa += t * g;
        sneg += g;
      }
    }
    chan_next(&w, Sq);
  }
  let ta = workgroup_sum(lid.x, sa);
  let tn = workgroup_sum(lid.x, sneg);
  if (lid.x == 0u) {
    da[c] = ta;
    if (HAS_B) { db[c] = (1.0 - a) * tn; }
  }
}
// dx only (the slope and threshold are frozen, as in the reconstruction metric): elementwise on the flat quad
// grid, where `backward` would spend a workgroup per channel on sums nobody wants
@group(0) @binding(0) var<storage, read> qx: array<f32>;
@group(0) @binding(1) var<storage, read> qa: array<f32>;
@group(0) @binding(2) var<storage, read> qb: array<f32>;
@group(0) @binding(3) var<storage, read> qdy: array<f32>;
@group(0) @binding(4) var<storage, read_write> qdx: array<f32>;
@group(0) @binding(5) var<uniform> qp: Params;

fn dx_at(i: u32, a: f32, b: f32) {
  qdx[i] = qdy[i] * select(a, 1.0, qx[i] - b >= 0.0);
}

fn frozen_threshold_of(c: u32) -> f32 {
  if (HAS_B) { return qb[c]; }
  return 0.0;
}

@compute @workgroup_size(WG)
fn backward_dx(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_id) lid: vec3<u32>) {
  let n = qp.N * qp.C * qp.S;
  let base = quad_base(wid, nwg, lid);
  for (var q = 0u; q < QUADS; q++) {
    let e0 = (base + q) * 4u;
    if (e0 >= n) { return; }
    if (Q4) {
      let c = channel_at(e0, qp.S, qp.C);
      let a = qa[c];
      let b = frozen_threshold_of(c);
      for (var k = 0u; k < 4u; k++) { dx_at(e0 + k, a, b); }
    } else {
      for (var k = 0u; k < 4u; k++) {
        if (e0 + k < n) {
          let c = channel_at(e0 + k, qp.S, qp.C);
          dx_at(e0 + k, qa[c], frozen_threshold_of(c));
        }
      }
    }
  }
}
//#include "lib/channel.wgsl"
