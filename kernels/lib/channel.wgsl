// Shared helpers for kernels over [N, C, S] tensors (channels on axis 1, S = H·W), appended to the
// kernels that use them (WGSL has no includes). The including kernel declares `override WG: u32`.
//
// Elementwise kernels run on a plane grid: workgroup y (and z past 65535) = plane n·C + c, lanes over S,
// so the channel comes from the workgroup id rather than an integer division per element.
// Per-channel reductions walk the channel's N·S elements with counters instead of divisions.

fn plane_of(wid: vec3<u32>) -> u32 { return wid.z * 65535u + wid.y; }

// Walks r = lid, lid + WG, ... over the N·S elements of one channel, as (n, s) without dividing.
struct ChanWalk { n: u32, s: u32, dn: u32, ds: u32 }

fn chan_walk(lid: u32, S: u32) -> ChanWalk {
  return ChanWalk(lid / S, lid % S, WG / S, WG % S);
}

fn chan_index(w: ChanWalk, C: u32, c: u32, S: u32) -> u32 { return (w.n * C + c) * S + w.s; }

fn chan_next(w: ptr<function, ChanWalk>, S: u32) {
  (*w).s += (*w).ds;
  (*w).n += (*w).dn;
  if ((*w).s >= S) { (*w).s -= S; (*w).n += 1u; }
}

var<workgroup> red: array<f32, WG>;

// Sum of x over the workgroup (every lane must call it: it has barriers).
fn workgroup_sum(lid: u32, x: f32) -> f32 {
  red[lid] = x;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (lid < s) { red[lid] += red[lid + s]; }
    workgroupBarrier();
  }
  let total = red[0];
  workgroupBarrier();
  return total;
}
