/** The [N, C, S] view shared by per-channel ops: channels on axis 1, everything after it flattened into S. */
import type { Tensor } from '../tensor/tensor.js';

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

/**
 * Workgroups (and the WG override) for the plane grid of kernels/lib/channel.wgsl: lanes over S, one
 * workgroup row per (n, c) plane, spilling into z past the 65535 limit.
 */
export function planeGrid(v: ChannelView): { wg: number; groups: [number, number, number] } {
  const wg = Math.min(64, Math.max(8, 2 ** Math.ceil(Math.log2(Math.max(1, v.S)))));
  const planes = v.N * v.C;
  const y = Math.min(planes, 65535);
  const z = Math.ceil(planes / 65535);
  if (z > 65535) throw new RangeError(`tensor of ${planes} channel planes is too large for one dispatch`);
  return { wg, groups: [Math.ceil(v.S / wg), y, z] };
}
