/**
 * Probe: work distribution of per-channel elementwise kernels on this adapter (y = x·a[c] + b[c] over
 * [N, C, S]). Compares the plane grid (a workgroup row per (n, c) plane: the kernels' earlier design) with
 * flat vec4 grids (one integer division per run of 4 for the channel; `il1`: lanes take consecutive vec4s),
 * side by side in interleaved rounds of one run. Result (2026-12-01, shared machine): the flat grid with 4
 * vec4s per lane and 64 lanes ran 3-8x faster than the plane grid at the DCGAN shapes, hence lib/channel.wgsl.
 *   node bench/probes/build-probe.mjs channel-probe && node dist/bench/probes/channel-probe.mjs
 */
import { initNode, shutdown } from '../../src/engine-node.js';
import { empty, tensor, type Tensor } from '../../src/tensor/tensor.js';
import type { KernelSource } from '../../src/gpu/kernel.js';
import channelLib from '../../kernels/lib/channel.wgsl';
import { grid1d } from '../../src/ops/launch.js';

/** The plane grid the per-channel kernels used before: lanes over S, a workgroup row per (n, c) plane. */
function planeGrid(v: { N: number; C: number; S: number }): { wg: number; groups: [number, number, number] } {
  const wg = Math.min(64, Math.max(8, 2 ** Math.ceil(Math.log2(Math.max(1, v.S)))));
  const planes = v.N * v.C;
  const y = Math.min(planes, 65535);
  return { wg, groups: [Math.ceil(v.S / wg), y, Math.ceil(planes / 65535)] };
}

const code = /* wgsl */ `
override WG: u32 = 64;
override PER: u32 = 1u;   // vec4s per invocation (flat grids)
override IL: bool = false; // interleaved: lanes take consecutive vec4s
struct P { N: u32, C: u32, S: u32, n4: u32 }
fn plane_of(wid: vec3<u32>) -> u32 { return wid.z * 65535u + wid.y; }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> p: P;
@compute @workgroup_size(WG)
fn plane(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let pl = plane_of(wid);
  let s = wid.x * WG + lid.x;
  if (s >= p.S || pl >= p.N * p.C) { return; }
  let c = pl % p.C;
  let i = pl * p.S + s;
  y[i] = x[i] * a[c] + b[c];
}
@group(0) @binding(0) var<storage, read> x4: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> a4: array<f32>;
@group(0) @binding(2) var<storage, read> b4: array<f32>;
@group(0) @binding(3) var<storage, read_write> y4: array<vec4<f32>>;
@group(0) @binding(4) var<uniform> p4: P;
@compute @workgroup_size(WG)
fn flat4(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let g = ((wid.y * nwg.x + wid.x) * WG + lid.x) * PER;
  let S4 = p4.S / 4u;
  for (var k = 0u; k < PER; k++) {
    var j = g + k;
    if (IL) { j = ((wid.y * nwg.x + wid.x) * WG * PER) + k * WG + lid.x; }
    if (j >= p4.n4) { return; }
    let c = (j / S4) % p4.C;
    y4[j] = x4[j] * a4[c] + b4[c];
  }
}
` + channelLib;

const KP: KernelSource = { name: 'probe:plane', code, entry: 'plane' };
const KF: KernelSource = { name: 'probe:flat4', code, entry: 'flat4' };

function rand(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Float32Array.from({ length: n }, () => Math.random() * 2 - 1), shape);
}

async function main(): Promise<void> {
  const rt = await initNode();
  const REPS = 15;
  try {
    for (const [N, C, H] of [[64, 64, 16], [64, 128, 8], [64, 256, 4], [64, 3, 32], [64, 512, 2]]) {
      const S = H * H;
      const x = rand([N, C, H, H]);
      const a = rand([C]);
      const b = rand([C]);
      const y = empty([N, C, H, H], '', rt);
      const v = { N, C, S, n4: x.size / 4 };
      const variants: [string, () => void][] = [
        ['plane', () => { const pg = planeGrid(v); rt.dispatch(rt.kernel(KP, { WG: pg.wg }), [x.buffer, a.buffer, b.buffer, y.buffer], v, pg.groups); }],
      ];
      for (const wg of [64, 128]) for (const per of [4, 8]) for (const il of [0, 1]) {
        variants.push([`flat4 wg${wg} per${per} il${il}`, () => rt.dispatch(rt.kernel(KF, { WG: wg, PER: per, IL: il }), [x.buffer, a.buffer, b.buffer, y.buffer], v, grid1d(Math.ceil(v.n4 / per), wg, rt))]);
      }
      const times = new Map<string, number[]>();
      for (const [, f] of variants) { f(); }
      await rt.sync();
      // interleaved rounds: every variant sees the same machine load
      for (let r = 0; r < REPS; r++) {
        for (const [name, f] of variants) {
          const t0 = performance.now();
          for (let k = 0; k < 5; k++) f();
          await rt.sync();
          (times.get(name) ?? times.set(name, []).get(name)!).push((performance.now() - t0) / 5);
        }
      }
      const row: Record<string, string> = {};
      for (const [name, ts] of times) {
        ts.sort((p, q) => p - q);
        const med = ts[ts.length >> 1];
        row[name] = `${med.toFixed(2)} ms ${(2 * x.size * 4 / med / 1e6).toFixed(2)} GB/s`;
      }
      console.log(JSON.stringify({ shape: [N, C, H, H], ...row }));
      for (const t of [x, a, b, y]) t.dispose();
    }
  } finally {
    shutdown();
  }
}
main().catch((e) => { console.error(e); process.exitCode = 1; });
