/** The [N, C, S] view shared by per-channel ops: channels on axis 1, everything after it flattened into S. */
import type { Tensor } from '../tensor/tensor.js';
import type { Runtime } from '../gpu/runtime.js';
import { grid1d } from './launch.js';

// a type alias (not an interface) so it can be passed where uniforms (Record<string, number>) are expected
export type ChannelView = { N: number; C: number; S: number };

export function channelView(x: Tensor, what: string): ChannelView {
  if (x.rank < 2) throw new RangeError(`${what}: input ${x.describe()} needs a channel axis (shape [N, C, ...])`);
  const [N, C] = x.shape;
  return { N, C, S: x.size / Math.max(1, N * C) };
}

export function checkPerChannel(t: Tensor | null, C: number, what: string, name: string): void {
  if (t && t.size !== C) throw new RangeError(`${what}: ${name} ${t.describe()} should have ${C} values (one per channel)`);
}

/** Lanes per workgroup and runs of 4 elements per lane of the flat quad grid (QUADS in lib/channel.wgsl). */
const QUAD_WG = 64;
const QUADS = 4;

/**
 * The flat quad grid of lib/channel.wgsl for n elements: workgroups, and the overrides WG and Q4 (whether a
 * run of 4 lies in one channel, S % 4 == 0).
 */
export function quadGrid(v: ChannelView, rt: Runtime): { overrides: { WG: number; Q4: number }; groups: [number, number] } {
  const n = v.N * v.C * v.S;
  return { overrides: { WG: QUAD_WG, Q4: +(v.S % 4 === 0) }, groups: grid1d(Math.ceil(n / (4 * QUADS)), QUAD_WG, rt) };
}

/** Elements per walk step of the per-channel kernels: 4 where the planes split into runs of 4. */
export const walkStep = (v: ChannelView): number => (v.S % 4 === 0 ? 4 : 1);
