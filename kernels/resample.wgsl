// 2×2 average pooling (stride 2, floor) and nearest-neighbour ×2 upsampling over [P, H, W] planes
// (P = N·C), with their backward passes. One lane per output element, gathering its inputs.
override WG: u32 = 64;

struct Params { P: u32, H: u32, W: u32, OH: u32, OW: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

fn index(wid: vec3<u32>, nwg: vec3<u32>, lid: vec3<u32>) -> u32 { return (wid.y * nwg.x + wid.x) * WG + lid.x; }

// x [P,H,W] → y [P,H/2,W/2]
@compute @workgroup_size(WG)
fn avg_pool(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
            @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = index(wid, nwg, lid);
  if (i >= p.P * p.OH * p.OW) { return; }
  let ox = i % p.OW;
  let oy = (i / p.OW) % p.OH;
  let base = (i / (p.OW * p.OH)) * p.H * p.W + 2u * oy * p.W + 2u * ox;
  y[i] = 0.25 * (x[base] + x[base + 1u] + x[base + p.W] + x[base + p.W + 1u]);
}

// dy [P,OH,OW] → dx [P,H,W]: each input pixel inside the pooled area gets a quarter of its window's gradient
@compute @workgroup_size(WG)
fn avg_pool_backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                     @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = index(wid, nwg, lid);
  if (i >= p.P * p.H * p.W) { return; }
  let ix = i % p.W;
  let iy = (i / p.W) % p.H;
  let plane = i / (p.W * p.H);
  if (iy / 2u >= p.OH || ix / 2u >= p.OW) { y[i] = 0.0; return; }
  y[i] = 0.25 * x[(plane * p.OH + iy / 2u) * p.OW + ix / 2u];
}

// x [P,H,W] → y [P,2H,2W]
@compute @workgroup_size(WG)
fn upsample(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
            @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = index(wid, nwg, lid);
  if (i >= p.P * p.OH * p.OW) { return; }
  let ox = i % p.OW;
  let oy = (i / p.OW) % p.OH;
  let plane = i / (p.OW * p.OH);
  y[i] = x[(plane * p.H + oy / 2u) * p.W + ox / 2u];
}

// dy [P,2H,2W] → dx [P,H,W]: the sum of the 2×2 block each input pixel was copied to
@compute @workgroup_size(WG)
fn upsample_backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                     @builtin(local_invocation_id) lid: vec3<u32>) {
  let i = index(wid, nwg, lid);
  if (i >= p.P * p.H * p.W) { return; }
  let ix = i % p.W;
  let iy = (i / p.W) % p.H;
  let base = (i / (p.W * p.H)) * p.OH * p.OW + 2u * iy * p.OW + 2u * ix;
  y[i] = x[base] + x[base + 1u] + x[base + p.OW] + x[base + p.OW + 1u];
}
