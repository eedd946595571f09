// Sum (times a scale, so mean too) over any subset of the axes of a rank-4 view, keeping dims.
// One workgroup per output element; its lanes stride over the reduced elements, then a tree reduction.
// The reduced index space is [r0,r1,r2,r3] (1 along kept axes) and the kept one is the output shape.

override WG: u32 = 64;

struct Params {
  n_out: u32, n_red: u32, scale: f32,
  o1: u32, o2: u32, o3: u32,          // output shape (dim 0 implied)
  r1: u32, r2: u32, r3: u32,          // reduced extents (dim 0 implied)
  s0: u32, s1: u32, s2: u32, s3: u32, // input strides
}
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

var<workgroup> partial: array<f32, WG>;

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
    for (var r = lid.x; r < p.n_red; r += WG) {
      let j3 = r % p.r3;
      let u2 = r / p.r3;
      let j2 = u2 % p.r2;
      let u1 = u2 / p.r2;
      let j1 = u1 % p.r1;
      let j0 = u1 / p.r1;
      acc += x[base + j0 * p.s0 + j1 * p.s1 + j2 * p.s2 + j3 * p.s3];
    }
  }
  partial[lid.x] = acc;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (lid.x < s) { partial[lid.x] += partial[lid.x + s]; }
    workgroupBarrier();
  }
  if (inRange && lid.x == 0u) { y[o] = partial[0] * p.scale; }
}
