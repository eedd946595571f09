// Sums (times a scale, so means too) over axes of a rank-4 view, keeping dims. Two kernels:
//   main:    any set of axes. One workgroup per output element; its lanes stride over the reduced
//            elements, then a tree reduction. The reduced index is kept as mixed-radix digits that are
//            advanced by WG with carries (no integer division in the loop: CPU adapters have no vector
//            integer divide).
//   leading: the reduced axes lead the kept ones, i.e. the input is [R, O] and out[o] = Σ_r x[r·O + o]
//            (batch sums, split-K partial sums). One lane per output, contiguous across lanes.

override WG: u32 = 64;

struct Params {
  n_out: u32, n_red: u32, scale: f32,
  o1: u32, o2: u32, o3: u32,          // output shape (dim 0 implied)
  r1: u32, r2: u32, r3: u32,          // reduced extents (dim 0 implied)
  s0: u32, s1: u32, s2: u32, s3: u32, // input strides
  w0: u32, w1: u32, w2: u32, w3: u32, // WG written in the reduced index's mixed radix [r0, r1, r2, r3]
}
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>) {
  let o = wid.y * nwg.x + wid.x;   // uniform across the workgroup, so the barriers below stay uniform
  let inRange = o < p.n_out;
  var acc = 0.0;
  if (inRange) {
    let k3 = o % p.o3;
    let t2 = o / p.o3;
    let k2 = t2 % p.o2;
    let t1 = t2 / p.o2;
    let k1 = t1 % p.o1;
    let k0 = t1 / p.o1;
    // along kept axes the output coordinate is the input coordinate; along reduced ones it is 0
    let base = k0 * p.s0 + k1 * p.s1 + k2 * p.s2 + k3 * p.s3;
    // this lane's first reduced index, lid.x, as digits (the only divisions)
    var j3 = lid.x % p.r3;
    var u = lid.x / p.r3;
    var j2 = u % p.r2;
    u = u / p.r2;
    var j1 = u % p.r1;
    var j0 = u / p.r1;
    for (var r = lid.x; r < p.n_red; r += WG) {
      acc += x[base + j0 * p.s0 + j1 * p.s1 + j2 * p.s2 + j3 * p.s3];
      // r += WG, digit by digit (each digit sum is below twice its radix: one carry at most)
      j3 += p.w3;
      var c = u32(j3 >= p.r3);
      j3 -= c * p.r3;
      j2 += p.w2 + c;
      c = u32(j2 >= p.r2);
      j2 -= c * p.r2;
      j1 += p.w1 + c;
      c = u32(j1 >= p.r1);
      j1 -= c * p.r1;
      j0 += p.w0 + c;
    }
  }
  let total = workgroup_sum(lid.x, acc);
  if (inRange && lid.x == 0u) { y[o] = total * p.scale; }
}

struct LeadingParams { O: u32, R: u32, scale: f32 }
@group(0) @binding(0) var<storage, read> lx: array<f32>;
@group(0) @binding(1) var<storage, read_write> ly: array<f32>;
@group(0) @binding(2) var<uniform> lp: LeadingParams;

@compute @workgroup_size(WG)
fn leading(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
           @builtin(local_invocation_id) lid: vec3<u32>) {
  let o = (wid.y * nwg.x + wid.x) * WG + lid.x;
  if (o >= lp.O) { return; }
  var acc = 0.0;
  var i = o;
  for (var r = 0u; r < lp.R; r++) {
    acc += lx[i];
    i += lp.O;
  }
  ly[o] = acc * lp.scale;
}

// channel: out[c] = scale · Σ_{n,s} x[(n·C + c)·S + s], [N, C, S] → [C] (bias gradients): a workgroup per
// channel walking its N·S elements with the counters of lib/channel.wgsl, Q consecutive elements per step
// (Q = 4 where S % 4 == 0) instead of the general kernel's per-element index digits.
override Q: u32 = 1u;
struct ChannelParams { N: u32, C: u32, S: u32, scale: f32 }
@group(0) @binding(0) var<storage, read> cx: array<f32>;
@group(0) @binding(1) var<storage, read_write> cy: array<f32>;
@group(0) @binding(2) var<uniform> cp: ChannelParams;

@compute @workgroup_size(WG)
fn channel(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let c = wid.x;
  let Sq = cp.S / Q;
  let steps = cp.N * Sq;
  var acc = 0.0;
  var w = chan_walk(lid.x, Sq);
  for (var r = lid.x; r < steps; r += WG) {
    let k0 = chan_index(w, cp.C, c, Sq) * Q;
    for (var j = 0u; j < Q; j++) { acc += cx[k0 + j]; }
    chan_next(&w, Sq);
  }
  let total = workgroup_sum(lid.x, acc);
  if (lid.x == 0u) { cy[c] = total * cp.scale; }
}
//#include "lib/channel.wgsl"
