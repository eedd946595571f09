// Elementwise kernels over flat f32 arrays. The op is an override constant, so each op is its own pipeline
// (the switch folds away at pipeline creation) while the shape (n) travels in the uniform.
// Dispatch: 1-D flattened over up to 65535×65535 workgroups of WG lanes: i = (wid.y * nwg.x + wid.x) * WG + lid.x.

override WG: u32 = 64;
// unary ops
const RELU: u32 = 0u;
const LEAKY_RELU: u32 = 1u;   // alpha = negative slope
const SIGMOID: u32 = 2u;
const TANH: u32 = 3u;
const AFFINE: u32 = 4u;       // alpha * x + beta
const CLAMP: u32 = 5u;        // clamp(x, alpha, beta)
const SQUARE: u32 = 6u;
override OP: u32 = 0u;

struct Params { n: u32, alpha: f32, beta: f32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

fn flat_index(wid: vec3<u32>, nwg: vec3<u32>, lid: vec3<u32>) -> u32 {
  return (wid.y * nwg.x + wid.x) * WG + lid.x;
}

fn sigmoid(v: f32) -> f32 {
  // Stable for large |v|: never evaluates exp of a large positive number.
  if (v >= 0.0) { return 1.0 / (1.0 + exp(-v)); }
  let e = exp(v);
  return e / (1.0 + e);
}

fn apply(v: f32) -> f32 {
  switch OP {
    case 0u: { return max(v, 0.0); }
    case 1u: { return select(p.alpha * v, v, v >= 0.0); }
    case 2u: { return sigmoid(v); }
    case 3u: { return tanh(v); }
    case 4u: { return p.alpha * v + p.beta; }
    case 5u: { return clamp(v, p.alpha, p.beta); }
    case 6u: { return v * v; }
    default: { return v; }
  }
}

@compute @workgroup_size(WG)
fn unary(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
         @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = flat_index(wid, nwg, lid);
  if (i >= p.n) { return; }
  y[i] = apply(x[i]);
}

// Backward of the unary op: dx = f'(x) * dy, using the saved input x or output fy, whichever is cheaper.
@group(0) @binding(0) var<storage, read> bx: array<f32>;
@group(0) @binding(1) var<storage, read> by: array<f32>;
@group(0) @binding(2) var<storage, read> bdy: array<f32>;
@group(0) @binding(3) var<storage, read_write> bdx: array<f32>;
@group(0) @binding(4) var<uniform> bp: Params;

fn derivative(v: f32, fv: f32) -> f32 {
  switch OP {
    case 0u: { return select(0.0, 1.0, v > 0.0); }
    case 1u: { return select(bp.alpha, 1.0, v >= 0.0); }
    case 2u: { return fv * (1.0 - fv); }
    case 3u: { return 1.0 - fv * fv; }
    case 4u: { return bp.alpha; }
    case 5u: { return select(0.0, 1.0, v >= bp.alpha && v <= bp.beta); }
    case 6u: { return 2.0 * v; }
    default: { return 1.0; }
  }
}

@compute @workgroup_size(WG)
fn unary_backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                  @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = flat_index(wid, nwg, lid);
  if (i >= bp.n) { return; }
  bdx[i] = derivative(bx[i], by[i]) * bdy[i];
}

// Binary ops with NumPy broadcasting over a rank-4 view: the output index is decomposed with the output
// shape and each operand is addressed with its own strides (0 along broadcast axes).
const ADD: u32 = 0u;
const SUB: u32 = 1u;
const MUL: u32 = 2u;
const DIV: u32 = 3u;
const LEFT: u32 = 4u;         // a alone: broadcasting copy
override BOP: u32 = 0u;
// 0: general broadcasting (index arithmetic per element); 1: same shapes (no index arithmetic)
override LAYOUT: u32 = 0u;

// out = alpha · (a op b)
struct BinaryParams {
  n: u32, alpha: f32,
  d1: u32, d2: u32, d3: u32,            // output shape [d0,d1,d2,d3] (d0 implied by n)
  sa0: u32, sa1: u32, sa2: u32, sa3: u32,
  sb0: u32, sb1: u32, sb2: u32, sb3: u32,
}
@group(0) @binding(0) var<storage, read> ba: array<f32>;
@group(0) @binding(1) var<storage, read> bb: array<f32>;
@group(0) @binding(2) var<storage, read_write> bout: array<f32>;
@group(0) @binding(3) var<uniform> q: BinaryParams;

@compute @workgroup_size(WG)
fn binary(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
          @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = flat_index(wid, nwg, lid);
  if (i >= q.n) { return; }
  var va: f32;
  var vb: f32;
  if (LAYOUT == 1u) {
    va = ba[i];
    vb = bb[i];
  } else {
    let i3 = i % q.d3;
    let r2 = i / q.d3;
    let i2 = r2 % q.d2;
    let r1 = r2 / q.d2;
    let i1 = r1 % q.d1;
    let i0 = r1 / q.d1;
    va = ba[i0 * q.sa0 + i1 * q.sa1 + i2 * q.sa2 + i3 * q.sa3];
    vb = bb[select(0u, i0 * q.sb0 + i1 * q.sb1 + i2 * q.sb2 + i3 * q.sb3, BOP != LEFT)];
  }
  var r: f32;
  switch BOP {
    case 0u: { r = va + vb; }
    case 1u: { r = va - vb; }
    case 2u: { r = va * vb; }
    case 3u: { r = va / vb; }
    default: { r = va; }
  }
  bout[i] = q.alpha * r;
}

// out[n,c,s] = alpha · (a[n,c,s] op b[c]): a per-channel operand, on the flat quad grid of lib/channel.wgsl
override Q4: bool = true;     // S % 4 == 0: a run of 4 elements lies in one channel
struct ChannelParams { N: u32, C: u32, S: u32, alpha: f32 }
@group(0) @binding(0) var<storage, read> ca: array<f32>;
@group(0) @binding(1) var<storage, read> cb: array<f32>;
@group(0) @binding(2) var<storage, read_write> cout: array<f32>;
@group(0) @binding(3) var<uniform> cp: ChannelParams;

fn channel_op(i: u32, vb: f32) {
  let va = ca[i];
  var r: f32;
  switch BOP {
    case 0u: { r = va + vb; }
    case 1u: { r = va - vb; }
    case 2u: { r = va * vb; }
    default: { r = va / vb; }
  }
  cout[i] = cp.alpha * r;
}

@compute @workgroup_size(WG)
fn binary_channel(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                  @builtin(local_invocation_id) lid: vec3<u32>) {
  let n = cp.N * cp.C * cp.S;
  let base = quad_base(wid, nwg, lid);
  // (the run counter must not be called q: wgsl_reflect would take it for the uniform q above)
  for (var j = 0u; j < QUADS; j++) {
    let e0 = (base + j) * 4u;
    if (e0 >= n) { return; }
    if (Q4) {
      let vb = cb[channel_at(e0, cp.S, cp.C)];
      for (var k = 0u; k < 4u; k++) { channel_op(e0 + k, vb); }
    } else {
      for (var k = 0u; k < 4u; k++) {
        if (e0 + k < n) { channel_op(e0 + k, cb[channel_at(e0 + k, cp.S, cp.C)]); }
      }
    }
  }
}

struct FillParams { n: u32, value: f32 }
@group(0) @binding(0) var<storage, read_write> fout: array<f32>;
@group(0) @binding(1) var<uniform> fp: FillParams;

@compute @workgroup_size(WG)
fn fill(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = flat_index(wid, nwg, lid);
  if (i >= fp.n) { return; }
  fout[i] = fp.value;
}
//#include "lib/channel.wgsl"
