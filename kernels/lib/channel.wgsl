// Shared helpers for kernels over [N, C, S] tensors (channels on axis 1, S = H·W), pulled in with
// an include directive (scripts/wgsl-loader.mjs). The including kernel declares `override WG: u32`.
//
// Elementwise kernels run on a flat quad grid (quad_base): each lane takes QUADS runs of 4 consecutive
// elements, so that workgroups are few and full (lavapipe pays per workgroup: a plane grid with a workgroup
// row per (n, c) plane, the earlier design, ran 3-8x slower at small S: bench/probes/channel-probe.ts). With
// S % 4 == 0 a run lies in one channel and costs one division; otherwise each element finds its channel.
// Per-channel reductions walk the channel's N·S elements with counters instead of divisions; kernels that
// take Q consecutive elements per step (Q = 4 where S % 4 == 0) walk with S/Q and scale the index by Q.

const QUADS: u32 = 4u;

// The first run (index of its first element / 4) of this lane on the flat quad grid.
fn quad_base(wid: vec3<u32>, nwg: vec3<u32>, lid: vec3<u32>) -> u32 {
  return ((wid.y * nwg.x + wid.x) * WG + lid.x) * QUADS;
}

fn channel_at(e: u32, S: u32, C: u32) -> u32 { return (e / S) % C; }

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

//#include "workgroup_sum.wgsl"
