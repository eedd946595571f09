// Pointwise losses, averaged by the caller's reduction (scale = 1/N):
//   BCE (probabilities, PyTorch: logs clamped at −100):  −(t·log p + (1−t)·log(1−p))
//   BCE with logits (stable):                           max(x,0) − x·t + log(1 + exp(−|x|))
//   MSE:                                                (a − b)²
override WG: u32 = 64;
override LOSS: u32 = 0u;   // 0 BCE, 1 BCE with logits, 2 MSE

struct Params { n: u32, scale: f32 }

fn index(wid: vec3<u32>, nwg: vec3<u32>, lid: vec3<u32>) -> u32 { return (wid.y * nwg.x + wid.x) * WG + lid.x; }

@group(0) @binding(0) var<storage, read> fa: array<f32>;
@group(0) @binding(1) var<storage, read> fb: array<f32>;
@group(0) @binding(2) var<storage, read_write> fl: array<f32>;
@group(0) @binding(3) var<uniform> fp: Params;

@compute @workgroup_size(WG)
fn pointwise(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = index(wid, nwg, lid);
  if (i >= fp.n) { return; }
  let a = fa[i];
  let t = fb[i];
  var l: f32;
  switch LOSS {
    case 0u: { l = -(t * max(log(a), -100.0) + (1.0 - t) * max(log(1.0 - a), -100.0)); }
    case 1u: { l = max(a, 0.0) - a * t + log(1.0 + exp(-abs(a))); }
    default: { l = (a - t) * (a - t); }
  }
  fl[i] = l;
}

// ∂(scale · Σ loss)/∂a times the upstream scalar g[0] (read on the GPU: no host round trip).
@group(0) @binding(0) var<storage, read> ba: array<f32>;
@group(0) @binding(1) var<storage, read> bb: array<f32>;
@group(0) @binding(2) var<storage, read> bg: array<f32>;
@group(0) @binding(3) var<storage, read_write> bda: array<f32>;
@group(0) @binding(4) var<uniform> bp: Params;

@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
            @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = index(wid, nwg, lid);
  if (i >= bp.n) { return; }
  let a = ba[i];
  let t = bb[i];
  var d: f32;
  switch LOSS {
    case 0u: { d = (a - t) / max((1.0 - a) * a, 1e-12); }
    case 1u: {
      let e = exp(-abs(a));
      let s = select(e / (1.0 + e), 1.0 / (1.0 + e), a >= 0.0);
      d = s - t;
    }
    default: { d = 2.0 * (a - t); }
  }
  bda[i] = bg[0] * bp.scale * d;
}
