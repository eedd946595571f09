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
