// Direct 2-D convolution kernels (NCHW, cross-correlation like PyTorch). Three kernels cover conv2d and
// conv_transpose2d, forward and backward:
//   gather:     out[n,o,y,x]    = scale[o] · Σ_{i,kh,kw} W[o,i,kh,kw] · in[n,i,y·s−p+kh, x·s−p+kw] + bias[o]
//               (conv2d forward; conv_transpose2d's input gradient with W = its [in,out,kh,kw] weight)
//   scatter:    out[n,o,y,x]    = scale[o] · Σ_{i,kh,kw : y+p−kh ≡ 0 mod s} W[i,o,kh,kw] · in[n,i,(y+p−kh)/s, ...] + bias[o]
//               (conv_transpose2d forward; conv2d's input gradient with W = its [out,in,kh,kw] weight).
//               Phase decomposition: only the taps kh ≡ (y+p) mod s are visited, so no work is spent on the
//               zeros a dilated input would have (at k4 s2 that is 4 of 16 taps per output).
//   weight_grad: dW[a,b,kh,kw] = Σ_{n,y,x} g[n,a,y,x] · big[n,b,y·s−p+kh, x·s−p+kw]
//               (conv2d: g = dy, big = x; conv_transpose2d: g = its input x, big = dy, giving [in,out,kh,kw]).
// One lane per output element; shapes travel in the uniform.

override WG: u32 = 64;
override HAS_SCALE: bool = false;   // out *= scale[o] (fused weight norm)
override HAS_BIAS: bool = false;    // out += bias[o]

struct Params {
  N: u32, Cin: u32, H: u32, W: u32,      // input (or, for weight_grad, the big operand) shape
  Cout: u32, OH: u32, OW: u32,           // output (or, for weight_grad, g's channels and spatial size)
  KH: u32, KW: u32, stride: u32, pad: u32,
}

@group(0) @binding(0) var<storage, read> inp: array<f32>;
@group(0) @binding(1) var<storage, read> wt: array<f32>;
@group(0) @binding(2) var<storage, read> scale: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> outp: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

fn flat(wid: vec3<u32>, nwg: vec3<u32>, lid: vec3<u32>) -> u32 {
  return (wid.y * nwg.x + wid.x) * WG + lid.x;
}

@compute @workgroup_size(WG)
fn gather(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
          @builtin(local_invocation_id) lid: vec3<u32>) {
  let idx = flat(wid, nwg, lid);
  if (idx >= p.N * p.Cout * p.OH * p.OW) { return; }
  let ox = idx % p.OW;
  let oy = (idx / p.OW) % p.OH;
  let o = (idx / (p.OW * p.OH)) % p.Cout;
  let n = idx / (p.OW * p.OH * p.Cout);
  var acc = 0.0;
  let iy0 = i32(oy * p.stride) - i32(p.pad);
  let ix0 = i32(ox * p.stride) - i32(p.pad);
  for (var i = 0u; i < p.Cin; i++) {
    let inBase = (n * p.Cin + i) * p.H * p.W;
    let wBase = (o * p.Cin + i) * p.KH * p.KW;
    for (var kh = 0u; kh < p.KH; kh++) {
      let iy = iy0 + i32(kh);
      if (iy < 0 || iy >= i32(p.H)) { continue; }
      for (var kw = 0u; kw < p.KW; kw++) {
        let ix = ix0 + i32(kw);
        if (ix < 0 || ix >= i32(p.W)) { continue; }
        acc += wt[wBase + kh * p.KW + kw] * inp[inBase + u32(iy) * p.W + u32(ix)];
      }
    }
  }
  if (HAS_SCALE) { acc = acc * scale[o]; }
  if (HAS_BIAS) { acc = acc + bias[o]; }
  outp[idx] = acc;
}

@compute @workgroup_size(WG)
fn scatter(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
           @builtin(local_invocation_id) lid: vec3<u32>) {
  let idx = flat(wid, nwg, lid);
  if (idx >= p.N * p.Cout * p.OH * p.OW) { return; }
  let ox = idx % p.OW;
  let oy = (idx / p.OW) % p.OH;
  let o = (idx / (p.OW * p.OH)) % p.Cout;
  let n = idx / (p.OW * p.OH * p.Cout);
  let s = p.stride;
  // first tap of this output's phase: kh ≡ (oy + pad) mod s
  let kh0 = (oy + p.pad) % s;
  let kw0 = (ox + p.pad) % s;
  var acc = 0.0;
  for (var i = 0u; i < p.Cin; i++) {
    let inBase = (n * p.Cin + i) * p.H * p.W;
    let wBase = (i * p.Cout + o) * p.KH * p.KW;
    for (var kh = kh0; kh < p.KH; kh += s) {
      let ty = i32(oy + p.pad) - i32(kh);          // divisible by s by construction
      if (ty < 0) { break; }                        // kh only grows
      let iy = u32(ty) / s;
      if (iy >= p.H) { continue; }
      for (var kw = kw0; kw < p.KW; kw += s) {
        let tx = i32(ox + p.pad) - i32(kw);
        if (tx < 0) { break; }
        let ix = u32(tx) / s;
        if (ix >= p.W) { continue; }
        acc += wt[wBase + kh * p.KW + kw] * inp[inBase + iy * p.W + ix];
      }
    }
  }
  if (HAS_SCALE) { acc = acc * scale[o]; }
  if (HAS_BIAS) { acc = acc + bias[o]; }
  outp[idx] = acc;
}

// weight_grad: `big` is [N,Cin,H,W], `g` is [N,Cout,OH,OW] and the output is dW[Cout,Cin,KH,KW]
// (one lane per weight element, summing over the batch and g's spatial positions).
@group(0) @binding(0) var<storage, read> big: array<f32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> dw: array<f32>;
@group(0) @binding(3) var<uniform> pw: Params;

@compute @workgroup_size(WG)
fn weight_grad(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_id) lid: vec3<u32>) {
  let idx = flat(wid, nwg, lid);
  if (idx >= pw.Cout * pw.Cin * pw.KH * pw.KW) { return; }
  let kw = idx % pw.KW;
  let kh = (idx / pw.KW) % pw.KH;
  let b = (idx / (pw.KW * pw.KH)) % pw.Cin;
  let a = idx / (pw.KW * pw.KH * pw.Cin);
  var acc = 0.0;
  for (var n = 0u; n < pw.N; n++) {
    let gBase = (n * pw.Cout + a) * pw.OH * pw.OW;
    let bigBase = (n * pw.Cin + b) * pw.H * pw.W;
    for (var y = 0u; y < pw.OH; y++) {
      let iy = i32(y * pw.stride + kh) - i32(pw.pad);
      if (iy < 0 || iy >= i32(pw.H)) { continue; }
      for (var x = 0u; x < pw.OW; x++) {
        let ix = i32(x * pw.stride + kw) - i32(pw.pad);
        if (ix < 0 || ix >= i32(pw.W)) { continue; }
        acc += g[gBase + y * pw.OW + x] * big[bigBase + u32(iy) * pw.W + u32(ix)];
      }
    }
  }
  dw[idx] = acc;
}
