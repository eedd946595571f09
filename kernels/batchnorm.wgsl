// Batch normalisation over [N, C, S] (S = H·W for BatchNorm2d, 1 for BatchNorm1d), affine, PyTorch semantics:
// normalise with the biased batch variance; update running stats with momentum and the unbiased variance.
// Per-channel reductions use one workgroup per channel, in two passes (mean, then Σ(x−mean)²) for accuracy.

override WG: u32 = 64;
override TRAIN: bool = true;

struct Params { N: u32, C: u32, S: u32, eps: f32, momentum: f32, update_running: u32 }

// ---- stats: batch mean and 1/sqrt(var + eps) per channel; optional running-stat update ----
@group(0) @binding(0) var<storage, read> sx: array<f32>;
@group(0) @binding(1) var<storage, read_write> running_mean: array<f32>;
@group(0) @binding(2) var<storage, read_write> running_var: array<f32>;
@group(0) @binding(3) var<storage, read_write> mean_out: array<f32>;
@group(0) @binding(4) var<storage, read_write> invstd_out: array<f32>;
@group(0) @binding(5) var<uniform> sp: Params;

@compute @workgroup_size(WG)
fn stats(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let c = wid.x;
  let M = sp.N * sp.S;
  var acc = 0.0;
  var w = chan_walk(lid.x, sp.S);
  for (var r = lid.x; r < M; r += WG) {
    acc += sx[chan_index(w, sp.C, c, sp.S)];
    chan_next(&w, sp.S);
  }
  let mean = workgroup_sum(lid.x, acc) / f32(M);
  acc = 0.0;
  w = chan_walk(lid.x, sp.S);
  for (var r = lid.x; r < M; r += WG) {
    let d = sx[chan_index(w, sp.C, c, sp.S)] - mean;
    acc += d * d;
    chan_next(&w, sp.S);
  }
  let var_b = workgroup_sum(lid.x, acc) / f32(M);
  if (lid.x == 0u) {
    mean_out[c] = mean;
    invstd_out[c] = 1.0 / sqrt(var_b + sp.eps);
    if (sp.update_running != 0u) {
      let m = sp.momentum;
      running_mean[c] = (1.0 - m) * running_mean[c] + m * mean;
      running_var[c] = (1.0 - m) * running_var[c] + m * var_b * f32(M) / f32(M - 1u);
    }
  }
}

// ---- eval_stats: the same outputs from the running statistics (one lane per channel) ----
@group(0) @binding(0) var<storage, read> erm: array<f32>;
@group(0) @binding(1) var<storage, read> erv: array<f32>;
@group(0) @binding(2) var<storage, read_write> emean: array<f32>;
@group(0) @binding(3) var<storage, read_write> einvstd: array<f32>;
@group(0) @binding(4) var<uniform> ep: Params;

@compute @workgroup_size(WG)
fn eval_stats(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  if (c >= ep.C) { return; }
  emean[c] = erm[c];
  einvstd[c] = 1.0 / sqrt(erv[c] + ep.eps);
}

// ---- apply: y = (x − mean)·invstd·γ + β (one lane per element) ----
@group(0) @binding(0) var<storage, read> ax: array<f32>;
@group(0) @binding(1) var<storage, read> amean: array<f32>;
@group(0) @binding(2) var<storage, read> ainvstd: array<f32>;
@group(0) @binding(3) var<storage, read> agamma: array<f32>;
@group(0) @binding(4) var<storage, read> abeta: array<f32>;
@group(0) @binding(5) var<storage, read_write> ay: array<f32>;
@group(0) @binding(6) var<uniform> ap: Params;

@compute @workgroup_size(WG)
fn apply(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let plane = plane_of(wid);
  let s = wid.x * WG + lid.x;
  if (s >= ap.S || plane >= ap.N * ap.C) { return; }
  let c = plane % ap.C;
  let i = plane * ap.S + s;
  ay[i] = (ax[i] - amean[c]) * ainvstd[c] * agamma[c] + abeta[c];
}

// ---- backward_reduce: per channel Σ dy·x̂ (= ∂L/∂γ) and Σ dy (= ∂L/∂β) ----
@group(0) @binding(0) var<storage, read> rx: array<f32>;
@group(0) @binding(1) var<storage, read> rdy: array<f32>;
@group(0) @binding(2) var<storage, read> rmean: array<f32>;
@group(0) @binding(3) var<storage, read> rinvstd: array<f32>;
@group(0) @binding(4) var<storage, read_write> dgamma: array<f32>;
@group(0) @binding(5) var<storage, read_write> dbeta: array<f32>;
@group(0) @binding(6) var<uniform> rp: Params;

@compute @workgroup_size(WG)
fn backward_reduce(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let c = wid.x;
  let M = rp.N * rp.S;
  let mean = rmean[c];
  let invstd = rinvstd[c];
  var sdy = 0.0;
  var sdyx = 0.0;
  var w = chan_walk(lid.x, rp.S);
  for (var r = lid.x; r < M; r += WG) {
    let k = chan_index(w, rp.C, c, rp.S);
    let g = rdy[k];
    sdy += g;
    sdyx += g * (rx[k] - mean) * invstd;
    chan_next(&w, rp.S);
  }
  let a = workgroup_sum(lid.x, sdy);
  let b = workgroup_sum(lid.x, sdyx);
  if (lid.x == 0u) {
    dbeta[c] = a;
    dgamma[c] = b;
  }
}

// ---- backward_input: dx (training: through the batch statistics; eval: a per-channel scale) ----
@group(0) @binding(0) var<storage, read> bx: array<f32>;
@group(0) @binding(1) var<storage, read> bdy: array<f32>;
@group(0) @binding(2) var<storage, read> bmean: array<f32>;
@group(0) @binding(3) var<storage, read> binvstd: array<f32>;
@group(0) @binding(4) var<storage, read> bgamma: array<f32>;
@group(0) @binding(5) var<storage, read> bsum_dyx: array<f32>;   // Σ dy·x̂ per channel (= ∂L/∂γ)
@group(0) @binding(6) var<storage, read> bsum_dy: array<f32>;    // Σ dy per channel (= ∂L/∂β)
@group(0) @binding(7) var<storage, read_write> bdx: array<f32>;
@group(0) @binding(8) var<uniform> bp: Params;

@compute @workgroup_size(WG)
fn backward_input(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let plane = plane_of(wid);
  let s = wid.x * WG + lid.x;
  if (s >= bp.S || plane >= bp.N * bp.C) { return; }
  let c = plane % bp.C;
  let i = plane * bp.S + s;
  let k = bgamma[c] * binvstd[c];
  if (TRAIN) {
    let M = f32(bp.N * bp.S);
    let xhat = (bx[i] - bmean[c]) * binvstd[c];
    bdx[i] = k * (bdy[i] - bsum_dy[c] / M - xhat * bsum_dyx[c] / M);
  } else {
    bdx[i] = k * bdy[i];
  }
}
