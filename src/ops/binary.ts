/**
 * Launching the broadcasting binary kernel (kernels/elementwise.wgsl:binary). Not differentiable by itself:
 * elementwise.ts wraps it with gradient rules; reductions use it to materialise broadcasts.
 */
import src from '../../kernels/elementwise.wgsl';
import type { KernelSource } from '../gpu/kernel.js';
import { empty, type Shape, type Tensor } from '../tensor/tensor.js';
import { grid1d, shapeStr } from './launch.js';
import { quadGrid } from './channels.js';

const K: KernelSource = { name: 'elementwise:binary', code: src, entry: 'binary' };
const KC: KernelSource = { name: 'elementwise:binary_channel', code: src, entry: 'binary_channel' };
const WG = 64;

export enum BinaryOp {
  Add = 0,
  Sub = 1,
  Mul = 2,
  Div = 3,
  /** a alone, broadcast to the output shape */
  Left = 4,
}

export function broadcastShapes(a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(`shapes ${shapeStr(a)} and ${shapeStr(b)} cannot be broadcast together`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Strides of `s` laid against a rank-4 output shape, 0 along axes where `s` is broadcast. */
function broadcastStrides4(s: Shape, out4: number[]): number[] {
  const s4 = [...Array(4 - s.length).fill(1), ...s];
  const strides = [0, 0, 0, 0];
  let acc = 1;
  for (let i = 3; i >= 0; i--) {
    strides[i] = s4[i] === 1 && out4[i] !== 1 ? 0 : acc;
    acc *= s4[i];
  }
  return strides;
}

/** b holds one value per channel (axis 1) of a, broadcast over everything else. */
function perChannelOf(a: Tensor, b: Tensor): boolean {
  if (a.rank < 2 || b.size !== a.shape[1] || b.rank > a.rank) return false;
  const b4 = [...Array(a.rank - b.rank).fill(1), ...b.shape];
  return b4.every((d, i) => (i === 1 ? d === a.shape[1] : d === 1));
}

/** alpha · (a op b) with broadcasting; `outShape` may be given to broadcast further (Left copies). */
export function binaryRaw(a: Tensor, b: Tensor, op: BinaryOp, alpha = 1, outShape: Shape = broadcastShapes(a.shape, b.shape)): Tensor {
  if (outShape.length > 4) throw new RangeError(`binary ops support rank ≤ 4, got ${shapeStr(outShape)}`);
  const rt = a.rt;
  const out = empty(outShape, '', rt);
  const same = a.size === out.size && b.size === out.size && op !== BinaryOp.Left;
  if (same) {
    rt.dispatch(rt.kernel(K, { BOP: op, LAYOUT: 1 }), [a.buffer, b.buffer, out.buffer],
      { n: out.size, alpha, d1: 1, d2: 1, d3: 1, sa0: 0, sa1: 0, sa2: 0, sa3: 0, sb0: 0, sb1: 0, sb2: 0, sb3: 0 }, grid1d(out.size, WG, rt));
    return out;
  }
  if (op !== BinaryOp.Left && a.size === out.size && perChannelOf(a, b)) {
    const v = { N: a.shape[0], C: a.shape[1], S: a.size / (a.shape[0] * a.shape[1]) };
    const qg = quadGrid(v, rt);
    rt.dispatch(rt.kernel(KC, { BOP: op, ...qg.overrides }), [a.buffer, b.buffer, out.buffer], { ...v, alpha }, qg.groups);
    return out;
  }
  const o4 = [...Array(4 - outShape.length).fill(1), ...outShape];
  const sa = broadcastStrides4(a.shape, o4);
  const sb = broadcastStrides4(b.shape, o4);
  rt.dispatch(
    rt.kernel(K, { BOP: op }),
    [a.buffer, b.buffer, out.buffer],
    {
      n: out.size, alpha, d1: o4[1], d2: o4[2], d3: o4[3],
      sa0: sa[0], sa1: sa[1], sa2: sa[2], sa3: sa[3],
      sb0: sb[0], sb1: sb[1], sb2: sb[2], sb3: sb[3],
    },
    grid1d(out.size, WG, rt),
  );
  return out;
}

/** factor · x broadcast to `shape` (x's shape must broadcast to it). */
export function broadcastTo(x: Tensor, shape: Shape, factor = 1): Tensor {
  broadcastShapes(x.shape, shape);
  return binaryRaw(x, x, BinaryOp.Left, factor, shape);
}
