// PReLU and the paper's TPReLU over [N, C, S] with per-channel slope a and threshold b:
//   y = x                 if x − b ≥ 0
//   y = a·(x − b) + b     otherwise          (PReLU is b = 0: HAS_B false)

override WG: u32 = 64;
override HAS_B: bool = true;

struct Params { N: u32, C: u32, S: u32 }

fn thr(b: f32) -> f32 { return select(0.0, b, HAS_B); }

@group(0) @binding(0) var<storage, read> fx: array<f32>;
@group(0) @binding(1) var<storage, read> fa: array<f32>;
@group(0) @binding(2) var<storage, read> fb: array<f32>;
@group(0) @binding(3) var<storage, read_write> fy: array<f32>;
@group(0) @binding(4) var<uniform> fp: Params;

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let plane = plane_of(wid);
  let s = wid.x * WG + lid.x;
  if (s >= fp.S || plane >= fp.N * fp.C) { return; }
  let c = plane % fp.C;
  let i = plane * fp.S + s;
  var b = 0.0;
  if (HAS_B) { b = fb[c]; }
  let t = fx[i] - b;
  fy[i] = select(fa[c] * t + b, fx[i], t >= 0.0);
}

@group(0) @binding(0) var<storage, read> gx: array<f32>;
@group(0) @binding(1) var<storage, read> ga: array<f32>;
@group(0) @binding(2) var<storage, read> gb: array<f32>;
@group(0) @binding(3) var<storage, read> gdy: array<f32>;
@group(0) @binding(4) var<storage, read_write> gdx: array<f32>;
@group(0) @binding(5) var<uniform> gp: Params;

@compute @workgroup_size(WG)
fn backward_input(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let plane = plane_of(wid);
  let s = wid.x * WG + lid.x;
  if (s >= gp.S || plane >= gp.N * gp.C) { return; }
  let c = plane % gp.C;
  let i = plane * gp.S + s;
  var b = 0.0;
  if (HAS_B) { b = gb[c]; }
  gdx[i] = gdy[i] * select(ga[c], 1.0, gx[i] - b >= 0.0);
}

// per channel: ∂L/∂a = Σ_{x−b<0} (x − b)·dy,   ∂L/∂b = Σ_{x−b<0} (1 − a)·dy
@group(0) @binding(0) var<storage, read> px: array<f32>;
@group(0) @binding(1) var<storage, read> pa: array<f32>;
@group(0) @binding(2) var<storage, read> pb: array<f32>;
@group(0) @binding(3) var<storage, read> pdy: array<f32>;
@group(0) @binding(4) var<storage, read_write> da: array<f32>;
@group(0) @binding(5) var<storage, read_write> db: array<f32>;
@group(0) @binding(6) var<uniform> pp: Params;

@compute @workgroup_size(WG)
fn backward_params(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let c = wid.x;
  let M = pp.N * pp.S;
  var b = 0.0;
  if (HAS_B) { b = pb[c]; }
  var sa = 0.0;
  var sneg = 0.0;
  var w = chan_walk(lid.x, pp.S);
  for (var r = lid.x; r < M; r += WG) {
    let k = chan_index(w, pp.C, c, pp.S);
    let t = px[k] - b;
    if (t < 0.0) {
      sa += t * pdy[k];
      sneg += pdy[k];
    }
    chan_next(&w, pp.S);
  }
  let ta = workgroup_sum(lid.x, sa);
  let tn = workgroup_sum(lid.x, sneg);
  if (lid.x == 0u) {
    da[c] = ta;
    if (HAS_B) { db[c] = (1.0 - pa[c]) * tn; }
  }
}
