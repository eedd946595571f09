// Rearranges a transposed convolution's weight W[Cin, Cout, KH, KW] into its stride² output phases, so that
// the implicit-GEMM kernel (lib/conv_gemm_subgroup.wgsl, MODE 1) reads each phase's A operand as a contiguous
// row-major [Cout, Cin·KTH·KTW] matrix: 16-byte vector loads instead of four strided scalar loads per step.
// Phase (py, px) holds the taps kh ≡ kh0 = (py + pad) mod s (and likewise kw), at th = kh / s; the phases
// partition the taps, so the output is a permutation of W, phases stored one after another in (py, px)
// row-major order: Wp[phase][o][ci][th][tw] = W[ci, o, kh0 + s·th, kw0 + s·tw].

override WG: u32 = 64u;

struct Params { Cin: u32, Cout: u32, KH: u32, KW: u32, stride: u32, pad: u32 }

@group(0) @binding(0) var<storage, read> W: array<f32>;
@group(0) @binding(1) var<storage, read_write> Wp: array<f32>;
@group(0) @binding(2) var<uniform> P: Params;

// taps of one phase along an axis of length k: kernel positions r, r + s, r + 2s, ... below k
fn taps(k: u32, r: u32) -> u32 { return (k - r + P.stride - 1u) / P.stride; }

// A lane per (ci, o) plane of W: the phases in order, each phase's taps (th, tw) in order. Phase (py, px)
// starts after Cout·Cin·(hb·KW + KTH·wb) elements, hb and wb being the taps of the phase rows and columns
// before it (the phases of one phase row together hold KW columns of taps).
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.y * nwg.x * WG + gid.x;       // = ci·Cout + o
  if (i >= P.Cin * P.Cout) { return; }
  let o = i % P.Cout;
  let ci = i / P.Cout;
  let s = P.stride;
  var hb = 0u;
  for (var py = 0u; py < s; py++) {
    let kh0 = (py + P.pad) % s;
    let KTH = taps(P.KH, kh0);
    var wb = 0u;
    for (var px = 0u; px < s; px++) {
      let kw0 = (px + P.pad) % s;
      let KTW = taps(P.KW, kw0);
      let base = P.Cout * P.Cin * (hb * P.KW + KTH * wb) + (o * P.Cin + ci) * KTH * KTW;
      for (var th = 0u; th < KTH; th++) {
        for (var tw = 0u; tw < KTW; tw++) {
          Wp[base + th * KTW + tw] = W[(i * P.KH + kh0 + s * th) * P.KW + kw0 + s * tw];
        }
      }
      wb += KTW;
    }
    hb += KTH;
  }
}
