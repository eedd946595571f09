// The ResNet's normalised weighted addition over [N, C, S] with per-channel (a, b):
//   out = (a·x + b·y) / r,   r = sqrt(a² + b²)
// Gradients: ∂x = dy·a/r, ∂y = dy·b/r, and with D = Σ dy·(b·x − a·y) over the channel,
//   ∂a = b·D/r³, ∂b = −a·D/r³.
override WG: u32 = 64;

struct Params { N: u32, C: u32, S: u32 }

@group(0) @binding(0) var<storage, read> fx: array<f32>;
@group(0) @binding(1) var<storage, read> fy: array<f32>;
@group(0) @binding(2) var<storage, read> fa: array<f32>;
@group(0) @binding(3) var<storage, read> fb: array<f32>;
@group(0) @binding(4) var<storage, read_write> fout: array<f32>;
@group(0) @binding(5) var<uniform> fp: Params;

fn forward_at(i: u32, c: u32) {
  let a = fa[c];
  let b = fb[c];
  fout[i] = (a * fx[i] + b * fy[i]) / sqrt(a * a + b * b);
}

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
           @builtin(local_invocation_id) lid: vec3<u32>) {
  let n = fp.N * fp.C * fp.S;
  let base = quad_base(wid, nwg, lid);
  for (var j = 0u; j < QUADS; j++) {
    let e0 = (base + j) * 4u;
    if (e0 >= n) { return; }
    for (var k = 0u; k < 4u; k++) {
      if (e0 + k < n) { forward_at(e0 + k, channel_at(e0 + k, fp.S, fp.C)); }
    }
  }
}

@group(0) @binding(0) var<storage, read> ia: array<f32>;
@group(0) @binding(1) var<storage, read> ib: array<f32>;
@group(0) @binding(2) var<storage, read> idy: array<f32>;
@group(0) @binding(3) var<storage, read_write> idx: array<f32>;
@group(0) @binding(4) var<storage, read_write> idy2: array<f32>;
@group(0) @binding(5) var<uniform> ip: Params;

fn backward_inputs_at(i: u32, c: u32) {
  let a = ia[c];
  let b = ib[c];
  let inv = 1.0 / sqrt(a * a + b * b);
  idx[i] = idy[i] * a * inv;
  idy2[i] = idy[i] * b * inv;
}

@compute @workgroup_size(WG)
fn backward_inputs(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                   @builtin(local_invocation_id) lid: vec3<u32>) {
  let n = ip.N * ip.C * ip.S;
  let base = quad_base(wid, nwg, lid);
  for (var j = 0u; j < QUADS; j++) {
    let e0 = (base + j) * 4u;
    if (e0 >= n) { return; }
    for (var k = 0u; k < 4u; k++) {
      if (e0 + k < n) { backward_inputs_at(e0 + k, channel_at(e0 + k, ip.S, ip.C)); }
    }
  }
}

@group(0) @binding(0) var<storage, read> px: array<f32>;
@group(0) @binding(1) var<storage, read> py: array<f32>;
@group(0) @binding(2) var<storage, read> pa: array<f32>;
@group(0) @binding(3) var<storage, read> pb: array<f32>;
@group(0) @binding(4) var<storage, read> pdy: array<f32>;
@group(0) @binding(5) var<storage, read_write> da: array<f32>;
@group(0) @binding(6) var<storage, read_write> db: array<f32>;
@group(0) @binding(7) var<uniform> pp: Params;

@compute @workgroup_size(WG)
fn backward_params(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let c = wid.x;
  let a = pa[c];
  let b = pb[c];
  let M = pp.N * pp.S;
  var acc = 0.0;
  var w = chan_walk(lid.x, pp.S);
  for (var r = lid.x; r < M; r += WG) {
    let k = chan_index(w, pp.C, c, pp.S);
    acc += pdy[k] * (b * px[k] - a * py[k]);
    chan_next(&w, pp.S);
  }
  let total = workgroup_sum(lid.x, acc);
  if (lid.x == 0u) {
    let r2 = a * a + b * b;
    let k = total / (r2 * sqrt(r2));
    da[c] = b * k;
    db[c] = -a * k;
  }
}
//#include "lib/channel.wgsl"
