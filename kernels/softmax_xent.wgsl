// Softmax cross-entropy over rows of logits x [N, C] with integer class labels (stored as f32).
//   forward:  per row m = max_c x, ls = log Σ exp(x − m); loss = (m − x[label]) + ls
//             (written this way rather than lse − x[label] so large logits do not cancel in f32)
//   backward: ∂(scale · Σ loss)/∂x = scale · (softmax − onehot), times the upstream scalar g[0]
// A label that is not an integer in [0, C) yields NaN, so a bad label tensor cannot pass silently.
override WG: u32 = 64;

struct Params { n: u32, c: u32, scale: f32 }

fn index(wid: vec3<u32>, nwg: vec3<u32>, lid: vec3<u32>) -> u32 { return (wid.y * nwg.x + wid.x) * WG + lid.x; }

// NaN from a runtime value: a constant NaN is a shader-creation error
fn nan(zero: u32) -> f32 { return bitcast<f32>(0x7fc00000u | zero); }

fn label_ok(l: f32, c: u32) -> bool { return l >= 0.0 && l < f32(c) && floor(l) == l; }

@group(0) @binding(0) var<storage, read> fx: array<f32>;
@group(0) @binding(1) var<storage, read> flab: array<f32>;
@group(0) @binding(2) var<storage, read_write> floss: array<f32>;
// per row: [m, ls], kept for backward
@group(0) @binding(3) var<storage, read_write> fstat: array<f32>;
@group(0) @binding(4) var<uniform> fp: Params;

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
           @builtin(local_invocation_id) lid: vec3<u32>) {
  let r = index(wid, nwg, lid);
  if (r >= fp.n) { return; }
  let base = r * fp.c;
  var m = fx[base];
  for (var k = 1u; k < fp.c; k++) { m = max(m, fx[base + k]); }
  var s = 0.0;
  for (var k = 0u; k < fp.c; k++) { s += exp(fx[base + k] - m); }
  let ls = log(s);
  let l = flab[r];
  var loss = nan(fp.n & 0u);
  if (label_ok(l, fp.c)) { loss = (m - fx[base + u32(l)]) + ls; }
  floss[r] = loss;
  fstat[2u * r] = m;
  fstat[2u * r + 1u] = ls;
}

@group(0) @binding(0) var<storage, read> bx: array<f32>;
@group(0) @binding(1) var<storage, read> blab: array<f32>;
@group(0) @binding(2) var<storage, read> bstat: array<f32>;
@group(0) @binding(3) var<storage, read> bg: array<f32>;
@group(0) @binding(4) var<storage, read_write> bdx: array<f32>;
@group(0) @binding(5) var<uniform> bp: Params;

@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
            @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = index(wid, nwg, lid);
  if (i >= bp.n * bp.c) { return; }
  let r = i / bp.c;
  let k = i - r * bp.c;
  let p = exp((bx[i] - bstat[2u * r]) - bstat[2u * r + 1u]);
  let l = blab[r];
  var d = nan(bp.n & 0u);
  if (label_ok(l, bp.c)) { d = p - select(0.0, 1.0, u32(l) == k); }
  bdx[i] = bg[0] * bp.scale * d;
}
