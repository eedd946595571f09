// Batch normalisation over [N, C, S] (S = H·W for BatchNorm2d, 1 for BatchNorm1d), affine, PyTorch semantics:
// normalise with the biased batch variance; update running stats with momentum and the unbiased variance.
// Optionally fused with the activation that follows it (ACT 1: PReLU with slope a; 2: TPReLU with slope a,
// threshold b): y = act(z), z = (x − mean)·invstd·γ + β, computed exactly as the separate ops would.
//
// Three passes: `stats` (a workgroup per channel, two walks: mean, then Σ(x−mean)² for accuracy) or
// `eval_stats` (running statistics) fill the per-channel table `saved`; `apply` (the flat quad grid of
// lib/channel.wgsl) writes y; `backward` (a workgroup per channel) reduces the parameter gradients and then
// writes dx in one dispatch, recomputing z instead of storing it; `backward_dx` (eval mode, frozen parameters)
// writes dx alone on the quad grid.
//
// saved[row·C + c], rows: 0 mean, 1 invstd, 2 γ, 3 β, 4 a, 5 b (the parameters as the forward pass used them:
// every later pass reads one table, which keeps each kernel within 8 storage bindings).

override WG: u32 = 64;
override TRAIN: bool = true;
override ACT: u32 = 0u;
override Q4: bool = true;      // apply: S % 4 == 0
override Q: u32 = 1u;          // stats, backward: elements per walk step (4 where S % 4 == 0)
override HAS_DX: bool = true;  // backward: write dx

struct Params { N: u32, C: u32, S: u32, eps: f32, momentum: f32, update_running: u32 }

const MEAN: u32 = 0u;
const INVSTD: u32 = 1u;
const GAMMA: u32 = 2u;
const BETA: u32 = 3u;
const SLOPE: u32 = 4u;
const THRESHOLD: u32 = 5u;

// ---- stats / eval_stats: fill `saved`; training also updates the running statistics ----
@group(0) @binding(0) var<storage, read> sx: array<f32>;
@group(0) @binding(1) var<storage, read> sgamma: array<f32>;
@group(0) @binding(2) var<storage, read> sbeta: array<f32>;
@group(0) @binding(3) var<storage, read> sslope: array<f32>;
@group(0) @binding(4) var<storage, read> sthreshold: array<f32>;
@group(0) @binding(5) var<storage, read_write> running_mean: array<f32>;
@group(0) @binding(6) var<storage, read_write> running_var: array<f32>;
@group(0) @binding(7) var<storage, read_write> ssaved: array<f32>;
@group(0) @binding(8) var<uniform> sp: Params;

fn save_params(c: u32, mean: f32, invstd: f32) {
  ssaved[MEAN * sp.C + c] = mean;
  ssaved[INVSTD * sp.C + c] = invstd;
  ssaved[GAMMA * sp.C + c] = sgamma[c];
  ssaved[BETA * sp.C + c] = sbeta[c];
  var a = 0.0;
  var b = 0.0;
  if (ACT >= 1u) { a = sslope[c]; }
  if (ACT == 2u) { b = sthreshold[c]; }
  ssaved[SLOPE * sp.C + c] = a;
  ssaved[THRESHOLD * sp.C + c] = b;
}

@compute @workgroup_size(WG)
fn stats(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let c = wid.x;
  let M = sp.N * sp.S;
  let Sq = sp.S / Q;
  let steps = sp.N * Sq;
  var acc = 0.0;
  var w = chan_walk(lid.x, Sq);
  for (var r = lid.x; r < steps; r += WG) {
    let k0 = chan_index(w, sp.C, c, Sq) * Q;
    for (var q = 0u; q < Q; q++) { acc += sx[k0 + q]; }
    chan_next(&w, Sq);
  }
  let mean = workgroup_sum(lid.x, acc) / f32(M);
  acc = 0.0;
  w = chan_walk(lid.x, Sq);
  for (var r = lid.x; r < steps; r += WG) {
    let k0 = chan_index(w, sp.C, c, Sq) * Q;
    for (var q = 0u; q < Q; q++) {
      let d = sx[k0 + q] - mean;
      acc += d * d;
    }
    chan_next(&w, Sq);
  }
  let var_b = workgroup_sum(lid.x, acc) / f32(M);
  if (lid.x == 0u) {
    save_params(c, mean, 1.0 / sqrt(var_b + sp.eps));
    if (sp.update_running != 0u) {
      let m = sp.momentum;
      running_mean[c] = (1.0 - m) * running_mean[c] + m * mean;
      running_var[c] = (1.0 - m) * running_var[c] + m * var_b * f32(M) / f32(M - 1u);
    }
  }
}

// one lane per channel, from the running statistics
@group(0) @binding(0) var<storage, read> egamma: array<f32>;
@group(0) @binding(1) var<storage, read> ebeta: array<f32>;
@group(0) @binding(2) var<storage, read> eslope: array<f32>;
@group(0) @binding(3) var<storage, read> ethreshold: array<f32>;
@group(0) @binding(4) var<storage, read> erm: array<f32>;
@group(0) @binding(5) var<storage, read> erv: array<f32>;
@group(0) @binding(6) var<storage, read_write> esaved: array<f32>;
@group(0) @binding(7) var<uniform> ep: Params;

@compute @workgroup_size(WG)
fn eval_stats(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  let C = ep.C;
  if (c >= C) { return; }
  esaved[MEAN * C + c] = erm[c];
  esaved[INVSTD * C + c] = 1.0 / sqrt(erv[c] + ep.eps);
  esaved[GAMMA * C + c] = egamma[c];
  esaved[BETA * C + c] = ebeta[c];
  var a = 0.0;
  var b = 0.0;
  if (ACT >= 1u) { a = eslope[c]; }
  if (ACT == 2u) { b = ethreshold[c]; }
  esaved[SLOPE * C + c] = a;
  esaved[THRESHOLD * C + c] = b;
}

// ---- apply: y = act(z) on the flat quad grid ----
@group(0) @binding(0) var<storage, read> ax: array<f32>;
@group(0) @binding(1) var<storage, read> asaved: array<f32>;
@group(0) @binding(2) var<storage, read_write> ay: array<f32>;
@group(0) @binding(3) var<uniform> ap: Params;

struct Chan { mean: f32, invstd: f32, gamma: f32, beta: f32, a: f32, b: f32 }

fn apply_chan(c: u32) -> Chan {
  let C = ap.C;
  return Chan(asaved[MEAN * C + c], asaved[INVSTD * C + c], asaved[GAMMA * C + c], asaved[BETA * C + c],
              asaved[SLOPE * C + c], asaved[THRESHOLD * C + c]);
}

// z = (x − mean)·invstd·γ + β, then the activation, in the order the separate ops compute them
fn apply_at(i: u32, ch: Chan) {
  let z = (ax[i] - ch.mean) * ch.invstd * ch.gamma + ch.beta;
  if (ACT == 0u) {
    ay[i] = z;
  } else {
    let t = z - ch.b;
    ay[i] = select(ch.a * t + ch.b, z, t >= 0.0);
  }
}

@compute @workgroup_size(WG)
fn apply(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
         @builtin(local_invocation_id) lid: vec3<u32>) {
  let n = ap.N * ap.C * ap.S;
  let base = quad_base(wid, nwg, lid);
  for (var q = 0u; q < QUADS; q++) {
    let e0 = (base + q) * 4u;
    if (e0 >= n) { return; }
    if (Q4) {
      let ch = apply_chan(channel_at(e0, ap.S, ap.C));
      for (var k = 0u; k < 4u; k++) { apply_at(e0 + k, ch); }
    } else {
      for (var k = 0u; k < 4u; k++) {
        if (e0 + k < n) { apply_at(e0 + k, apply_chan(channel_at(e0 + k, ap.S, ap.C))); }
      }
    }
  }
}

// ---- backward: per channel, dz = dy·act'(z) (dz = dy without activation), then
//   ∂γ = Σ dz·x̂, ∂β = Σ dz, ∂a = Σ_{z−b<0} (z − b)·dy, ∂b = (1 − a)·Σ_{z−b<0} dy,
//   dx = γ·invstd·(dz − ∂β/M − x̂·∂γ/M) (training: through the batch statistics) or γ·invstd·dz (eval).
@group(0) @binding(0) var<storage, read> bx: array<f32>;
@group(0) @binding(1) var<storage, read> bdy: array<f32>;
@group(0) @binding(2) var<storage, read> bsaved: array<f32>;
@group(0) @binding(3) var<storage, read_write> bdx: array<f32>;
@group(0) @binding(4) var<storage, read_write> dgamma: array<f32>;
@group(0) @binding(5) var<storage, read_write> dbeta: array<f32>;
@group(0) @binding(6) var<storage, read_write> dslope: array<f32>;
@group(0) @binding(7) var<storage, read_write> dthreshold: array<f32>;
@group(0) @binding(8) var<uniform> bp: Params;

// dz for element k, and (for the slope/threshold sums) t = z − b
fn grad_z(k: u32, ch: Chan) -> vec2<f32> {
  let g = bdy[k];
  if (ACT == 0u) { return vec2<f32>(g, 0.0); }
  let z = (bx[k] - ch.mean) * ch.invstd * ch.gamma + ch.beta;
  let t = z - ch.b;
  return vec2<f32>(g * select(ch.a, 1.0, t >= 0.0), t);
}

@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let c = wid.x;
  let C = bp.C;
  let ch = Chan(bsaved[MEAN * C + c], bsaved[INVSTD * C + c], bsaved[GAMMA * C + c], bsaved[BETA * C + c],
                bsaved[SLOPE * C + c], bsaved[THRESHOLD * C + c]);
  let Sq = bp.S / Q;
  let steps = bp.N * Sq;
  var sdz = 0.0;
  var sdzx = 0.0;
  var sa = 0.0;
  var sneg = 0.0;
  var w = chan_walk(lid.x, Sq);
  for (var r = lid.x; r < steps; r += WG) {
    let k0 = chan_index(w, C, c, Sq) * Q;
    for (var q = 0u; q < Q; q++) {
      let k = k0 + q;
      let gz = grad_z(k, ch);
      sdz += gz.x;
      sdzx += gz.x * (bx[k] - ch.mean) * ch.invstd;
      if (ACT != 0u && gz.y < 0.0) {
        sa += gz.y * bdy[k];
        sneg += bdy[k];
      }
    }
    chan_next(&w, Sq);
  }
  let sum_dz = workgroup_sum(lid.x, sdz);
  let sum_dzx = workgroup_sum(lid.x, sdzx);
  var sum_a = 0.0;
  var sum_neg = 0.0;
  if (ACT != 0u) {
    sum_a = workgroup_sum(lid.x, sa);
    sum_neg = workgroup_sum(lid.x, sneg);
  }
  if (lid.x == 0u) {
    dgamma[c] = sum_dzx;
    dbeta[c] = sum_dz;
    if (ACT != 0u) { dslope[c] = sum_a; }
    if (ACT == 2u) { dthreshold[c] = (1.0 - ch.a) * sum_neg; }
  }
  if (!HAS_DX) { return; }
  let kk = ch.gamma * ch.invstd;
  let M = f32(bp.N * bp.S);
  w = chan_walk(lid.x, Sq);
  for (var r = lid.x; r < steps; r += WG) {
    let k0 = chan_index(w, C, c, Sq) * Q;
    for (var q = 0u; q < Q; q++) {
      let k = k0 + q;
      let dz = grad_z(k, ch).x;
      if (TRAIN) {
        let xhat = (bx[k] - ch.mean) * ch.invstd;
        bdx[k] = kk * (dz - sum_dz / M - xhat * sum_dzx / M);
      } else {
        bdx[k] = kk * dz;
      }
    }
    chan_next(&w, Sq);
  }
}
// ---- backward_dx: eval mode with frozen parameters (the reconstruction metric): dx = γ·invstd·dz alone, on the
// flat quad grid; nothing needs a per-channel sum then
@group(0) @binding(0) var<storage, read> qx: array<f32>;
@group(0) @binding(1) var<storage, read> qdy: array<f32>;
@group(0) @binding(2) var<storage, read> qsaved: array<f32>;
@group(0) @binding(3) var<storage, read_write> qdx: array<f32>;
@group(0) @binding(4) var<uniform> qp: Params;

fn frozen_chan(c: u32) -> Chan {
  let C = qp.C;
  return Chan(qsaved[MEAN * C + c], qsaved[INVSTD * C + c], qsaved[GAMMA * C + c], qsaved[BETA * C + c],
              qsaved[SLOPE * C + c], qsaved[THRESHOLD * C + c]);
}

// the arithmetic of `backward`'s eval branch: dz as grad_z computes it, times γ·invstd
fn dx_at(k: u32, ch: Chan) {
  var dz = qdy[k];
  if (ACT != 0u) {
    let z = (qx[k] - ch.mean) * ch.invstd * ch.gamma + ch.beta;
    dz = dz * select(ch.a, 1.0, z - ch.b >= 0.0);
  }
  qdx[k] = ch.gamma * ch.invstd * dz;
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
      let ch = frozen_chan(channel_at(e0, qp.S, qp.C));
      for (var k = 0u; k < 4u; k++) { dx_at(e0 + k, ch); }
    } else {
      for (var k = 0u; k < 4u; k++) {
        if (e0 + k < n) { dx_at(e0 + k, frozen_chan(channel_at(e0 + k, qp.S, qp.C))); }
      }
    }
  }
}
//#include "lib/channel.wgsl"
