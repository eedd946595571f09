/** Small helpers shared by the op wrappers: dispatch grids and a dummy binding for unused optional inputs. */
import type { Runtime } from '../gpu/runtime.js';
import type { Tensor } from '../tensor/tensor.js';

/** What a conv or matmul kernel applies to its accumulator before storing: out = acc·scale[o] + bias[o]. */
export interface Epilogue {
  /** per-output-channel factor (fused weight normalisation) */
  scale?: Tensor | null;
  bias?: Tensor | null;
}

/** Workgroups for a flat 1-D launch of n lanes, split over x and y to respect the per-dimension limit. */
export function grid1d(n: number, wg: number, rt: Runtime): [number, number] {
  const groups = Math.ceil(n / wg);
  const maxX = rt.limits.maxComputeWorkgroupsPerDimension;
  if (groups <= maxX) return [groups, 1];
  const y = Math.ceil(groups / maxX);
  return [Math.ceil(groups / y), y];
}

const dummies = new WeakMap<Runtime, GPUBuffer>();

/** A tiny buffer bound where an optional input is absent (the kernel's override keeps it unread). */
export function dummyBuffer(rt: Runtime): GPUBuffer {
  let b = dummies.get(rt);
  if (!b) {
    b = rt.device.createBuffer({ size: 16, usage: 0x80 /* STORAGE */, label: 'unused-binding' });
    dummies.set(rt, b);
  }
  return b;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function shapeStr(s: readonly number[]): string {
  return `[${s.join(',')}]`;
}
