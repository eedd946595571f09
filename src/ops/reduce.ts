/** Sums and means over axes (kernels/reduce.wgsl), and sumToShape, the adjoint of broadcasting. */
import src from '../../kernels/reduce.wgsl';
import type { KernelSource } from '../gpu/kernel.js';
import { record } from '../autograd/tape.js';
import { empty, reshapeView, type Shape, type Tensor } from '../tensor/tensor.js';
import { broadcastTo } from './binary.js';
import { grid1d, shapeStr } from './launch.js';

const K = {
  main: { name: 'reduce', code: src },
  leading: { name: 'reduce:leading', code: src, entry: 'leading' },
  channel: { name: 'reduce:channel', code: src, entry: 'channel' },
} satisfies Record<string, KernelSource>;
const WG = 64;

/** Sum x over `axes` (kept as size-1 dims), times `factor`. x has rank ≤ 4. */
function reduceRaw(x: Tensor, axes: readonly number[], factor: number): Tensor {
  if (x.rank > 4) throw new RangeError(`reductions support rank ≤ 4, got ${x.describe()}`);
  const pad = 4 - x.rank;
  const s4 = [...Array(pad).fill(1), ...x.shape];
  const red = new Set(axes.map((a) => a + pad));
  const out4 = s4.map((d, i) => (red.has(i) ? 1 : d));
  const r4 = s4.map((d, i) => (red.has(i) ? d : 1));
  const strides = [s4[1] * s4[2] * s4[3], s4[2] * s4[3], s4[3], 1];
  const outShape = x.shape.map((d, i) => (red.has(i + pad) ? 1 : d));
  const rt = x.rt;
  const y = empty(outShape, '', rt);
  const nOut = y.size;
  const nRed = r4[0] * r4[1] * r4[2] * r4[3];
  const reduced = [...red].sort();
  const leading = reduced.every((a, i) => a === i + pad) || nRed === 1;
  // a lane per output only pays off with enough outputs (or short sums); a long sum to few outputs
  // (a loss mean) is better split across a workgroup
  if (leading && (nOut >= 256 || nRed <= 64)) {
    // [R, O] → [O]: one lane per output, no index arithmetic
    rt.dispatch(rt.kernel(K.leading), [x.buffer, y.buffer], { O: nOut, R: nRed, scale: factor }, grid1d(nOut, WG, rt));
    return y;
  }
  // every axis but 1 of an [N, C, ...] tensor with planes (bias gradients): a workgroup per channel
  const channelAxis = pad + 1;
  const S = s4.slice(channelAxis + 1).reduce((a, b) => a * b, 1);
  if (x.rank >= 2 && S > 1 && s4.every((_, i) => i < pad || red.has(i) === (i !== channelAxis))) {
    const v = { N: x.shape[0], C: x.shape[1], S };
    rt.dispatch(rt.kernel(K.channel, { Q: v.S % 4 === 0 ? 4 : 1 }), [x.buffer, y.buffer], { ...v, scale: factor }, [v.C]);
    return y;
  }
  // WG in the reduced index's mixed radix, for the division-free stepping in the kernel
  const w3 = WG % r4[3];
  const w2 = Math.floor(WG / r4[3]) % r4[2];
  const w1 = Math.floor(WG / (r4[3] * r4[2])) % r4[1];
  const w0 = Math.floor(WG / (r4[3] * r4[2] * r4[1]));
  const maxX = rt.limits.maxComputeWorkgroupsPerDimension;
  const gy = Math.ceil(nOut / maxX);
  rt.dispatch(
    rt.kernel(K.main),
    [x.buffer, y.buffer],
    {
      n_out: nOut, n_red: nRed, scale: factor,
      o1: out4[1], o2: out4[2], o3: out4[3],
      r1: r4[1], r2: r4[2], r3: r4[3],
      s0: strides[0], s1: strides[1], s2: strides[2], s3: strides[3],
      w0, w1, w2, w3,
    },
    [Math.ceil(nOut / gy), gy],
  );
  return y;
}

function normAxes(x: Tensor, axes?: number | readonly number[]): number[] {
  const list = axes === undefined ? x.shape.map((_, i) => i) : typeof axes === 'number' ? [axes] : [...axes];
  return list.map((a) => {
    const r = a < 0 ? a + x.rank : a;
    if (r < 0 || r >= x.rank) throw new RangeError(`axis ${a} is out of range for ${x.describe()}`);
    return r;
  });
}

function dropAxes(shape: Shape, axes: number[]): number[] {
  return shape.filter((_, i) => !axes.includes(i));
}

function reduce(op: string, x: Tensor, axes: number | readonly number[] | undefined, keepDims: boolean, mean: boolean): Tensor {
  const ax = normAxes(x, axes);
  const count = ax.reduce((n, a) => n * x.shape[a], 1);
  const factor = mean ? 1 / Math.max(count, 1) : 1;
  const kept = reduceRaw(x, ax, factor);
  const y = keepDims ? kept : reshapeView(kept, dropAxes(x.shape, ax));
  if (!keepDims) kept.dispose();
  return record(op, [x], y, (dy) => {
    const g = broadcastTo(reshapeView(dy, x.shape.map((d, i) => (ax.includes(i) ? 1 : d))), x.shape, factor);
    return [g];
  });
}

export const sum = (x: Tensor, axes?: number | readonly number[], keepDims = false) => reduce('sum', x, axes, keepDims, false);
export const mean = (x: Tensor, axes?: number | readonly number[], keepDims = false) => reduce('mean', x, axes, keepDims, true);

/**
 * Sum a gradient down to `shape` (the shape of an operand that was broadcast). Never returns `g` itself,
 * so the caller owns the result.
 */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (g.rank === shape.length && g.shape.every((d, i) => d === shape[i])) return reshapeView(g, shape);
  const lead = g.rank - shape.length;
  if (lead < 0) throw new RangeError(`sumToShape: ${g.describe()} cannot reduce to ${shapeStr(shape)}`);
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const r = reduceRaw(g, axes, 1);
  const out = reshapeView(r, shape);
  r.dispose();
  return out;
}
