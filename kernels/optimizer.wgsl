// Fused optimiser steps: one dispatch updates a parameter and its state (no chains of elementwise ops),
// then, with CLAMP, clamps it to [lo, hi] (PReLU/TPReLU slopes use [0, 1]).

override WG: u32 = 64;
override CLAMP: bool = false;

fn bound(p: f32, lo: f32, hi: f32) -> f32 { return select(p, clamp(p, lo, hi), CLAMP); }

fn index(wid: vec3<u32>, nwg: vec3<u32>, lid: vec3<u32>) -> u32 { return (wid.y * nwg.x + wid.x) * WG + lid.x; }

// RMSprop as in Torch/PyTorch (the paper's): s ← α·s + (1−α)·g²;  p ← p − lr·g / (sqrt(s) + eps)
struct RmsParams { n: u32, lr: f32, alpha: f32, eps: f32, lo: f32, hi: f32 }
@group(0) @binding(0) var<storage, read_write> rp_param: array<f32>;
@group(0) @binding(1) var<storage, read> r_grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> r_sq: array<f32>;
@group(0) @binding(3) var<uniform> rp: RmsParams;

@compute @workgroup_size(WG)
fn rmsprop(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
           @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = index(wid, nwg, lid);
  if (i >= rp.n) { return; }
  let g = r_grad[i];
  let s = rp.alpha * r_sq[i] + (1.0 - rp.alpha) * g * g;
  r_sq[i] = s;
  rp_param[i] = bound(rp_param[i] - rp.lr * g / (sqrt(s) + rp.eps), rp.lo, rp.hi);
}

// Adam (PyTorch): m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;
//                 p ← p − lr/bc1 · m / (sqrt(v)/sqrt(bc2) + eps),  bc_i = 1 − β_i^t
struct AdamParams { n: u32, lr: f32, beta1: f32, beta2: f32, eps: f32, bc1: f32, bc2: f32, lo: f32, hi: f32 }
@group(0) @binding(0) var<storage, read_write> a_param: array<f32>;
@group(0) @binding(1) var<storage, read> a_grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> a_m: array<f32>;
@group(0) @binding(3) var<storage, read_write> a_v: array<f32>;
@group(0) @binding(4) var<uniform> ap: AdamParams;

@compute @workgroup_size(WG)
fn adam(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = index(wid, nwg, lid);
  if (i >= ap.n) { return; }
  let g = a_grad[i];
  let m = ap.beta1 * a_m[i] + (1.0 - ap.beta1) * g;
  let v = ap.beta2 * a_v[i] + (1.0 - ap.beta2) * g * g;
  a_m[i] = m;
  a_v[i] = v;
  a_param[i] = bound(a_param[i] - (ap.lr / ap.bc1) * m / (sqrt(v) / sqrt(ap.bc2) + ap.eps), ap.lo, ap.hi);
}
