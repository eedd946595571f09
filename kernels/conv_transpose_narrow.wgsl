// Transposed convolution with stride 2, a 4×4 kernel and padding 1 into at most 4 output channels: the
// DCGAN generator's last layer (→ 3 image channels) and the input gradient of the discriminator's first
// layer. The implicit GEMM (conv_gemm_subgroup) tiles 8 or 32 output channels per workgroup, so with 3 it
// wastes most of its multiplies and loads each input value for 3 uses only.
//
// Here a lane owns one input row t and 4 input columns u0..u0+3 (u0 = 4j) of one image, and computes every
// output they reach in all four phases: output rows 2t, 2t+1 and columns 2u0 .. 2u0+7, in all COUT
// channels. With y = 2·iy − 1 + kh (and likewise x):
//   output row 2t   = input row t (kh = 1) and t − 1 (kh = 3)
//   output row 2t+1 = input row t + 1 (kh = 0) and t (kh = 2)
//   output col 2u   = input col u (kw = 1) and u − 1 (kw = 3)
//   output col 2u+1 = input col u + 1 (kw = 0) and u (kw = 2)
// so per input channel the lane reads input rows t−1..t+1, columns u0−4..u0+7 (9 aligned vec4 loads) and
// does 64·COUT multiply-adds. The weights W[ci, o, kh, 0..3] (COUT·4 vec4s per input channel, the same for
// every lane) are loaded by lanes 0..7 and shared with subgroupBroadcast. Requires W % 4 == 0 and
// subgroups of ≥ 8 lanes (host checks). Dispatch: ceil(N·H·W/4 / WG) workgroups (split over x and y).
enable subgroups;

override WG: u32 = 64u;
override COUT: u32 = 3u;            // output channels, 1..4
override HAS_SCALE: bool = false;   // out *= scale[o] (fused weight norm)
override HAS_BIAS: bool = false;    // out += bias[o]

struct Params { N: u32, Cin: u32, H: u32, W: u32 }

@group(0) @binding(0) var<storage, read> X: array<vec4<f32>>;      // [N, Cin, H, W]
@group(0) @binding(1) var<storage, read> Wt: array<vec4<f32>>;     // [Cin, COUT, 4, 4]
@group(0) @binding(2) var<storage, read> scale: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> OUT: array<vec4<f32>>; // [N, COUT, 2H, 2W]
@group(0) @binding(5) var<uniform> P: Params;

// One input row around the lane's columns: m = x[u0..u0+3], l = x[u0−1..u0+2], r = x[u0+1..u0+4].
struct Row { m: vec4<f32>, l: vec4<f32>, r: vec4<f32> }

fn loadRow(plane: u32, iy: i32, j: u32, lastJ: u32) -> Row {
  let ok = iy >= 0 && iy < i32(P.H);
  let q = plane + u32(clamp(iy, 0, i32(P.H) - 1)) * (P.W / 4u) + j;   // vec4 index of x[iy, u0]
  let m = select(vec4<f32>(0.0), X[q], ok);
  let left = select(vec4<f32>(0.0), X[q - select(0u, 1u, j > 0u)], ok && j > 0u);
  let right = select(vec4<f32>(0.0), X[q + select(0u, 1u, j < lastJ)], ok && j < lastJ);
  return Row(m, vec4<f32>(left.w, m.xyz), vec4<f32>(m.yzw, right.x));
}

// The four phase outputs of one channel: e[py][px], each over the lane's 4 columns.
struct Acc { e00: vec4<f32>, e01: vec4<f32>, e10: vec4<f32>, e11: vec4<f32> }

// One input channel's contribution; w0..w3 are the channel's kernel rows kh = 0..3 (over kw).
fn accumulate(a: Acc, w0: vec4<f32>, w1: vec4<f32>, w2: vec4<f32>, w3: vec4<f32>, up: Row, mid: Row, down: Row) -> Acc {
  var r = a;
  r.e00 = fma(vec4<f32>(w1.y), mid.m, fma(vec4<f32>(w1.w), mid.l, fma(vec4<f32>(w3.y), up.m, fma(vec4<f32>(w3.w), up.l, r.e00))));
  r.e01 = fma(vec4<f32>(w1.x), mid.r, fma(vec4<f32>(w1.z), mid.m, fma(vec4<f32>(w3.x), up.r, fma(vec4<f32>(w3.z), up.m, r.e01))));
  r.e10 = fma(vec4<f32>(w0.y), down.m, fma(vec4<f32>(w0.w), down.l, fma(vec4<f32>(w2.y), mid.m, fma(vec4<f32>(w2.w), mid.l, r.e10))));
  r.e11 = fma(vec4<f32>(w0.x), down.r, fma(vec4<f32>(w0.z), down.m, fma(vec4<f32>(w2.x), mid.r, fma(vec4<f32>(w2.z), mid.m, r.e11))));
  return r;
}

fn store(a: Acc, o: u32, n: u32, t: u32, j: u32, live: bool) {
  if (!live) { return; }
  var s = 1.0;
  var b = 0.0;
  if (HAS_SCALE) { s = scale[o]; }
  if (HAS_BIAS) { b = bias[o]; }
  let e00 = a.e00 * s + b;
  let e01 = a.e01 * s + b;
  let e10 = a.e10 * s + b;
  let e11 = a.e11 * s + b;
  // output row 2t + py, columns 8j .. 8j+7 interleave the two column phases: 2 vec4 stores per row
  let rowVec4s = P.W / 2u;                        // 2W outputs per row
  let q0 = ((n * COUT + o) * 2u * P.H + 2u * t) * rowVec4s + 2u * j;
  OUT[q0] = vec4<f32>(e00.x, e01.x, e00.y, e01.y);
  OUT[q0 + 1u] = vec4<f32>(e00.z, e01.z, e00.w, e01.w);
  OUT[q0 + rowVec4s] = vec4<f32>(e10.x, e11.x, e10.y, e11.y);
  OUT[q0 + rowVec4s + 1u] = vec4<f32>(e10.z, e11.z, e10.w, e11.w);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>, @builtin(subgroup_invocation_id) sl: u32) {
  let blocks = P.W / 4u;
  let total = P.N * P.H * blocks;
  let g = (wid.y * nwg.x + wid.x) * WG + lid.x;
  let live = g < total;
  // out-of-range lanes compute on the last block (their broadcasts must still happen) and store nothing
  let gc = min(g, total - 1u);
  let j = gc % blocks;
  let t = (gc / blocks) % P.H;
  let n = gc / (blocks * P.H);
  let lane = sl & 7u;
  let wLast = COUT * 4u - 1u;
  var a0 = Acc(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
  var a1 = a0;
  var a2 = a0;
  var a3 = a0;
  let planeSize = P.H * blocks;                   // vec4s per input plane
  for (var ci = 0u; ci < P.Cin; ci++) {
    let plane = (n * P.Cin + ci) * planeSize;
    let up = loadRow(plane, i32(t) - 1, j, blocks - 1u);
    let mid = loadRow(plane, i32(t), j, blocks - 1u);
    let down = loadRow(plane, i32(t) + 1, j, blocks - 1u);
    let wBase = ci * COUT * 4u;
    // kernel row kh of output channel o is vec4 number 4o + kh, loaded by lane (4o + kh) mod 8 into v0 or v1
    let v0 = Wt[wBase + min(lane, wLast)];
    let v1 = Wt[wBase + min(lane + 8u, wLast)];
    a0 = accumulate(a0, subgroupBroadcast(v0, 0u), subgroupBroadcast(v0, 1u), subgroupBroadcast(v0, 2u), subgroupBroadcast(v0, 3u), up, mid, down);
    if (COUT > 1u) { a1 = accumulate(a1, subgroupBroadcast(v0, 4u), subgroupBroadcast(v0, 5u), subgroupBroadcast(v0, 6u), subgroupBroadcast(v0, 7u), up, mid, down); }
    if (COUT > 2u) { a2 = accumulate(a2, subgroupBroadcast(v1, 0u), subgroupBroadcast(v1, 1u), subgroupBroadcast(v1, 2u), subgroupBroadcast(v1, 3u), up, mid, down); }
    if (COUT > 3u) { a3 = accumulate(a3, subgroupBroadcast(v1, 4u), subgroupBroadcast(v1, 5u), subgroupBroadcast(v1, 6u), subgroupBroadcast(v1, 7u), up, mid, down); }
  }
  store(a0, 0u, n, t, j, live);
  if (COUT > 1u) { store(a1, 1u, n, t, j, live); }
  if (COUT > 2u) { store(a2, 2u, n, t, j, live); }
  if (COUT > 3u) { store(a3, 3u, n, t, j, live); }
}
