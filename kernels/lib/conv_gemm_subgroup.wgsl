// Implicit-GEMM convolutions for adapters with subgroups (the fast path on CPU adapters such as lavapipe).
// One template, three modes, each a GEMM  OUT[m, n] = Σ_k A[m, k] · B[k, n]  whose operands are never
// materialised (no im2col):
//   MODE 0  conv2d forward:          m = out channel, n = (image, oy, ox), k = (in channel, kh, kw)
//                                    A = W[o, ci, kh, kw], B = x[b, ci, oy·s − p + kh, ox·s − p + kw]
//   MODE 1  transposed conv, one output phase (py, px) of the s×s phases (phase decomposition: only
//           the taps kh ≡ (y + p) mod s are visited, none of the zeros of a dilated input):
//                                    m = out channel, n = (image, ty, tx) with y = py + s·ty,
//                                    k = (in channel, th, tw) with kh = kh0 + s·th,
//                                    A = the phase's [o, k] matrix, rearranged from W[ci, o, kh, kw] by
//                                    conv_phase_weights.wgsl (at P.aBase), B = x[b, ci, c0 + ty − th, c1 + tx − tw]
//   MODE 2  weight gradient, one K-chunk (split-K; the chunks are summed afterwards):
//                                    m = channel a of g, n = (channel b of big, kh, kw),
//                                    k = (image, y, x): A = g[img, a, y, x], B = big[img, b, y·s − p + kh, x·s − p + kw]
// Every B element is X[colBase + off(k) + iy·W + ix] with iy = colY + dy(k), ix = colX + dx(k) (zero
// outside the image): the per-column parts are computed once per lane, the k parts are counters that
// advance with k (no divisions in the loop).
//
// Work split (after bench/probes: on lavapipe each storage load costs ~10 instructions per lane, a
// subgroup broadcast one): a workgroup computes ROWS × (4·WG) outputs; each lane owns 4 columns and all
// ROWS rows (ROWS vec4 accumulators). Per step of 4 k, a lane loads its 4×4 B values itself, while lane l
// of every 8-lane group loads row 8g + l of A (a vec4 over k) and subgroupBroadcast shares it: every
// loaded B value feeds ROWS FMAs, every A value 4·WG. The accumulator code is straight-line, so `main` is
// generated per ROWS by scripts/gen-conv-kernels.mjs (kernels/conv_gemm_subgroup_r*.wgsl, which include
// this file): lavapipe turns an indexed accumulator array into memory.
// Requires subgroups of ≥ 8 lanes. Dispatch: (ceil(N / (4·WG)), ceil(M / ROWS), phases or K-chunks).
// The including file declares `enable subgroups;` and `const ROWS: u32`.

override MODE: u32 = 0u;
override WG: u32 = 64u;
override VEC_A: bool = false;       // A rows are 16-byte aligned runs along k (host checks): one vec4 load
// MODE 0 with stride 2, a 4-wide kernel, padding 1, W and OW multiples of 4 (every DCGAN D layer): a
// lane's 4 columns are 4 neighbouring outputs of one row, so for one (channel, kh) the 16 taps it needs
// lie in 16 consecutive input elements: 4 aligned vec4 loads instead of 16 scalar ones (host checks).
override WINDOW_S2K4: bool = false;
// MODE 1 (transposed conv phase) with stride 2, 4×4 kernel, padding 1, W a multiple of 4: each phase has 2×2
// taps and a lane's 4 columns are 4 neighbouring outputs of a phase row, which read 5 consecutive inputs per
// tap row: 2 aligned vec4 loads per tap row instead of 8 scalar ones (host checks).
override WINDOW_T2K4: bool = false;
// WINDOW_T2K4: the phase's first input column c1 is ≡ 1 (mod 4), not 0 (the host knows from the phase; a
// per-lane test would make lavapipe run both window shuffles under a mask)
override T2K4_SHIFTED: bool = false;
// MODE 2 (weight gradient) of those stride-2 4×4 layers with g's rows a multiple of 4 long: the same
// 16-element input windows (host checks).
override WINDOW_W2K4: bool = false;

struct Params {
  M: u32, N: u32, K: u32,
  Cin: u32, H: u32, W: u32,          // channels and size of the operand B is gathered from
  Cout: u32, OH: u32, OW: u32,       // the output (modes 0, 1) or g (mode 2)
  KH: u32, KW: u32, stride: u32, pad: u32,
  py: u32, px: u32, KTH: u32, KTW: u32, OHp: u32, OWp: u32, c0: u32, c1: u32,
  kChunk: u32,
  aBase: u32,      // MODE 1: where the phase's A matrix starts in Wv (elements)
  // epilogue (modes 0 and 1), runtime flags rather than overrides to keep the pipeline count small:
  hasScale: u32,   // out = acc·scale[m] (fused weight norm)
  hasBias: u32,    // out += bias[m]
}

@group(0) @binding(0) var<storage, read> X: array<vec4<f32>>;    // gathered operand (B), read as f32 or vec4
@group(0) @binding(1) var<storage, read> Wv: array<vec4<f32>>;   // A operand: weights (0, 1) or g (2)
@group(0) @binding(2) var<storage, read> scale: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> OUT: array<f32>;
@group(0) @binding(5) var<uniform> P: Params;

fn elemA(i: u32) -> f32 { return Wv[i >> 2u][i & 3u]; }
fn elemX(i: u32) -> f32 { return X[i >> 2u][i & 3u]; }

// Where k is in the sum. k only ever advances by one, so its decomposition is kept as counters
// (divisions are slow on CPU adapters: no vector integer divide): t0 (in channel / image), t1, t2 (the two
// inner indices), and what the gather and A need: off (plane offset into X), dy, dx, aoff (A offset).
struct KState { t0: u32, t1: u32, t2: u32, off: u32, dy: i32, dx: i32, aoff: u32 }

// A[m, k] = Wv[m·aStride + aoff(k)]
fn aStride() -> u32 {
  switch MODE {
    case 0u: { return P.K; }
    case 1u: { return P.K; }
    default: { return P.OH * P.OW; }
  }
}

fn kStateAt(k: u32) -> KState {
  var st: KState;
  switch MODE {
    case 0u: {
      let kk = P.KH * P.KW;
      st.t0 = k / kk;
      let r = k - st.t0 * kk;
      st.t1 = r / P.KW;
      st.t2 = r - st.t1 * P.KW;
      st.off = st.t0 * P.H * P.W;
      st.dy = i32(st.t1);
      st.dx = i32(st.t2);
      st.aoff = k;
    }
    case 1u: {
      let taps = P.KTH * P.KTW;
      st.t0 = k / taps;
      let r = k - st.t0 * taps;
      st.t1 = r / P.KTW;
      st.t2 = r - st.t1 * P.KTW;
      st.off = st.t0 * P.H * P.W;
      st.dy = -i32(st.t1);
      st.dx = -i32(st.t2);
      st.aoff = k;
    }
    default: {
      let hw = P.OH * P.OW;
      st.t0 = k / hw;
      let yx = k - st.t0 * hw;
      st.t1 = yx / P.OW;
      st.t2 = yx - st.t1 * P.OW;
      st.off = st.t0 * P.Cin * P.H * P.W;
      st.dy = i32(st.t1 * P.stride);
      st.dx = i32(st.t2 * P.stride);
      st.aoff = st.t0 * P.Cout * hw + yx;
    }
  }
  return st;
}

// k → k + 1 (uniform across the workgroup, so the branches are too)
fn advance(st: ptr<function, KState>) {
  switch MODE {
    case 0u: {
      (*st).aoff += 1u;
      (*st).t2 += 1u;
      (*st).dx += 1;
      if ((*st).t2 == P.KW) {
        (*st).t2 = 0u; (*st).dx = 0; (*st).t1 += 1u; (*st).dy += 1;
        if ((*st).t1 == P.KH) { (*st).t1 = 0u; (*st).dy = 0; (*st).t0 += 1u; (*st).off += P.H * P.W; }
      }
    }
    case 1u: {
      (*st).aoff += 1u;
      (*st).t2 += 1u;
      (*st).dx -= 1;
      if ((*st).t2 == P.KTW) {
        (*st).t2 = 0u; (*st).dx = 0; (*st).t1 += 1u; (*st).dy -= 1;
        if ((*st).t1 == P.KTH) { (*st).t1 = 0u; (*st).dy = 0; (*st).t0 += 1u; (*st).off += P.H * P.W; }
      }
    }
    default: {
      (*st).aoff += 1u;
      (*st).t2 += 1u;
      (*st).dx += i32(P.stride);
      if ((*st).t2 == P.OW) {
        (*st).t2 = 0u; (*st).dx = 0; (*st).t1 += 1u; (*st).dy += i32(P.stride);
        if ((*st).t1 == P.OH) {
          (*st).t1 = 0u; (*st).dy = 0; (*st).t0 += 1u; (*st).off += P.Cin * P.H * P.W;
          (*st).aoff = (*st).t0 * P.Cout * P.OH * P.OW;
        }
      }
    }
  }
}

// A[m, k..k+3] given the four A offsets (zero where k + j ≥ kEnd); m is clamped by the caller
fn loadA4(m: u32, aoff: vec4<u32>, live: vec4<bool>) -> vec4<f32> {
  let base = m * aStride() + P.aBase;
  // VEC_A implies K and every chunk are multiples of 4 (host checks), so all four k are live
  if (VEC_A) { return Wv[(base + aoff.x) >> 2u]; }
  let i = select(vec4<u32>(0u), vec4<u32>(base) + aoff, live);
  return select(vec4<f32>(0.0), vec4<f32>(elemA(i.x), elemA(i.y), elemA(i.z), elemA(i.w)), live);
}

// per-column parts of the gather and of the store
struct Cols { base: vec4<u32>, y: vec4<i32>, x: vec4<i32>, out: vec4<u32>, live: vec4<bool> }

fn column(n: u32) -> vec4<u32> {
  // (base, y, x, out) of one column; y and x bit-cast from i32
  switch MODE {
    case 0u: {
      let hw = P.OH * P.OW;
      let img = n / hw;
      let pix = n - img * hw;
      let oy = pix / P.OW;
      let ox = pix - oy * P.OW;
      return vec4<u32>(img * P.Cin * P.H * P.W, bitcast<u32>(i32(oy * P.stride) - i32(P.pad)),
                       bitcast<u32>(i32(ox * P.stride) - i32(P.pad)), img * P.Cout * hw + pix);
    }
    case 1u: {
      let phw = P.OHp * P.OWp;
      let img = n / phw;
      let t = n - img * phw;
      let ty = t / P.OWp;
      let tx = t - ty * P.OWp;
      let y = P.py + P.stride * ty;
      let x = P.px + P.stride * tx;
      return vec4<u32>(img * P.Cin * P.H * P.W, P.c0 + ty, P.c1 + tx, (img * P.Cout * P.OH + y) * P.OW + x);
    }
    default: {
      let kk = P.KH * P.KW;
      let b = n / kk;
      let r = n - b * kk;
      let kh = r / P.KW;
      return vec4<u32>(b * P.H * P.W, bitcast<u32>(i32(kh) - i32(P.pad)),
                       bitcast<u32>(i32(r - kh * P.KW) - i32(P.pad)), n);
    }
  }
}

fn columns(n0: u32) -> Cols {
  var c: Cols;
  let nc = min(vec4<u32>(n0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(P.N - 1u));
  let c0 = column(nc.x);
  let c1 = column(nc.y);
  let c2 = column(nc.z);
  let c3 = column(nc.w);
  c.base = vec4<u32>(c0.x, c1.x, c2.x, c3.x);
  c.y = bitcast<vec4<i32>>(vec4<u32>(c0.y, c1.y, c2.y, c3.y));
  c.x = bitcast<vec4<i32>>(vec4<u32>(c0.z, c1.z, c2.z, c3.z));
  c.out = vec4<u32>(c0.w, c1.w, c2.w, c3.w);
  c.live = (vec4<u32>(n0) + vec4<u32>(0u, 1u, 2u, 3u)) < vec4<u32>(P.N);
  return c;
}

// B[k, the lane's 4 columns] at the state of k (zero outside the image, or when k is past the end)
fn loadB4(c: Cols, st: KState, kLive: bool) -> vec4<f32> {
  let iy = c.y + vec4<i32>(st.dy);
  let ix = c.x + vec4<i32>(st.dx);
  let inside = (iy >= vec4<i32>(0)) & (iy < vec4<i32>(i32(P.H))) & (ix >= vec4<i32>(0)) & (ix < vec4<i32>(i32(P.W)))
               & vec4<bool>(kLive);
  let idx = select(vec4<u32>(0u), c.base + vec4<u32>(st.off) + bitcast<vec4<u32>>(iy) * P.W + bitcast<vec4<u32>>(ix), inside);
  return select(vec4<f32>(0.0), vec4<f32>(elemX(idx.x), elemX(idx.y), elemX(idx.z), elemX(idx.w)), inside);
}

// WINDOW_S2K4 (MODE 0) and WINDOW_W2K4 (MODE 2, the weight gradient of the same layers): 16 consecutive
// input elements of row iy starting at ix0 − 3, ix0 = the first column's x + dx(k) (= 2·ox0 − 1 in MODE 0,
// 2·x0 − 1 + kw0 in MODE 2: a multiple of 4 plus 3), read as 4 aligned vec4s, zero outside the row.
struct Block4 { r0: vec4<f32>, r1: vec4<f32>, r2: vec4<f32>, r3: vec4<f32> }

fn window16(c: Cols, st: KState) -> Block4 {
  let iy = c.y.x + st.dy;
  let e0 = c.x.x + st.dx - 3;                           // first window element (a multiple of 4, may be −4)
  let rowOk = (iy >= 0) && (iy < i32(P.H));
  let row = i32(c.base.x + st.off) + max(iy, 0) * i32(P.W);
  let q = (row + e0) >> 2;                              // vec4 index of the window start (row is 4-aligned)
  let ix = vec4<i32>(e0) + vec4<i32>(0, 1, 2, 3);
  let ok = vec4<bool>(rowOk);
  var v: Block4;
  v.r0 = select(vec4<f32>(0.0), X[u32(max(q, 0))], ok & (ix >= vec4<i32>(0)) & (ix < vec4<i32>(i32(P.W))));
  v.r1 = select(vec4<f32>(0.0), X[u32(q + 1)], ok & (ix + 4 < vec4<i32>(i32(P.W))));
  v.r2 = select(vec4<f32>(0.0), X[u32(q + 2)], ok & (ix + 8 < vec4<i32>(i32(P.W))));
  v.r3 = select(vec4<f32>(0.0), X[u32(q + 3)], ok & (ix + 12 < vec4<i32>(i32(P.W))));
  return v;
}

// MODE 0: B[kw][col] = window[3 + 2·col + kw]
fn loadWindowS2K4(c: Cols, st: KState) -> Block4 {
  let v = window16(c, st);
  var b: Block4;
  b.r0 = vec4<f32>(v.r0.w, v.r1.y, v.r1.w, v.r2.y);
  b.r1 = vec4<f32>(v.r1.x, v.r1.z, v.r2.x, v.r2.z);
  b.r2 = vec4<f32>(v.r1.y, v.r1.w, v.r2.y, v.r2.w);
  b.r3 = vec4<f32>(v.r1.z, v.r2.x, v.r2.z, v.r3.x);
  return b;
}

// MODE 2: the step's 4 k are 4 neighbouring x of g's row, the 4 columns are kw = 0..3:
// B[j][col] = window[3 + 2·j + col]
fn loadWindowW2K4(c: Cols, st: KState) -> Block4 {
  let v = window16(c, st);
  var b: Block4;
  b.r0 = vec4<f32>(v.r0.w, v.r1.x, v.r1.y, v.r1.z);
  b.r1 = vec4<f32>(v.r1.y, v.r1.z, v.r1.w, v.r2.x);
  b.r2 = vec4<f32>(v.r1.w, v.r2.x, v.r2.y, v.r2.z);
  b.r3 = vec4<f32>(v.r2.y, v.r2.z, v.r2.w, v.r3.x);
  return b;
}

// the vec4s at (row + 4·base) and the next one, zero outside the image row
fn rowPair(c: Cols, st: KState, iy: i32, base: i32) -> array<vec4<f32>, 2> {
  let rowOk = vec4<bool>((iy >= 0) && (iy < i32(P.H)));
  let row = i32(c.base.x + st.off) + max(iy, 0) * i32(P.W);
  let ix = vec4<i32>(4 * base) + vec4<i32>(0, 1, 2, 3);
  let q = (row >> 2) + base;
  let lo = select(vec4<f32>(0.0), X[u32(max(q, 0))], rowOk & (ix >= vec4<i32>(0)) & (ix < vec4<i32>(i32(P.W))));
  let hi = select(vec4<f32>(0.0), X[u32(q + 1)], rowOk & (ix + 4 < vec4<i32>(i32(P.W))));
  return array<vec4<f32>, 2>(lo, hi);
}

// WINDOW_T2K4: B for k = (ci, th, tw) over (th, tw) = (0,0), (0,1), (1,0), (1,1), the lane's 4 columns:
// B[(th, tw), col] = x[ci, cy − th, cx + col − tw] with (cy, cx) the first column's (c0 + ty, c1 + tx0).
fn loadWindowT2K4(c: Cols, st: KState) -> Block4 {
  let cx = c.x.x;
  let base = (cx - 1) >> 2;              // floor((cx − 1)/4): the window starts at 4·base
  let r0 = rowPair(c, st, c.y.x, base);
  let r1 = rowPair(c, st, c.y.x - 1, base);
  var b: Block4;
  if (!T2K4_SHIFTED) {                   // cx ≡ 0 mod 4, window [cx − 4, cx + 4): tw = 0 → v1, tw = 1 → v0.w, v1.xyz
    b.r0 = r0[1];
    b.r1 = vec4<f32>(r0[0].w, r0[1].x, r0[1].y, r0[1].z);
    b.r2 = r1[1];
    b.r3 = vec4<f32>(r1[0].w, r1[1].x, r1[1].y, r1[1].z);
  } else {                               // cx ≡ 1 mod 4, window [cx − 1, cx + 7): tw = 0 → v0.yzw, v1.x; tw = 1 → v0
    b.r0 = vec4<f32>(r0[0].y, r0[0].z, r0[0].w, r0[1].x);
    b.r1 = r0[0];
    b.r2 = vec4<f32>(r1[0].y, r1[0].z, r1[0].w, r1[1].x);
    b.r3 = r1[0];
  }
  return b;
}


fn mStride() -> u32 {
  switch MODE {
    case 0u: { return P.OH * P.OW; }
    case 1u: { return P.OH * P.OW; }
    default: { return P.N; }
  }
}

fn store4(c: Cols, m: u32, v: vec4<f32>, splitOffset: u32) {
  if (m >= P.M) { return; }
  var r = v;
  if (MODE != 2u) {
    if (P.hasScale != 0u) { r = r * scale[m]; }
    if (P.hasBias != 0u) { r = r + bias[m]; }
  }
  let o = c.out + vec4<u32>(m * mStride() + splitOffset);
  if (c.live.x) { OUT[o.x] = r.x; }
  if (c.live.y) { OUT[o.y] = r.y; }
  if (c.live.z) { OUT[o.z] = r.z; }
  if (c.live.w) { OUT[o.w] = r.w; }
}
