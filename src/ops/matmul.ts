/**
 * Matrix products (kernels/matmul.wgsl) and the linear layer y = x·Wᵀ + b, with an optional fused
 * per-output-column scale used by weight-normalised linear layers.
 */
import src from '../../kernels/matmul.wgsl';
import gemmSubgroup from '../../kernels/gemm_subgroup.wgsl';
import type { KernelSource } from '../gpu/kernel.js';
import { record } from '../autograd/tape.js';
import { empty, type Tensor } from '../tensor/tensor.js';
import { dummyBuffer, shapeStr } from './launch.js';
import { sumToShape } from './reduce.js';
import { subgroupGemmAvailable } from './conv-gemm.js';
import { BinaryOp, binaryRaw } from './binary.js';

const K: KernelSource = {
  name: 'matmul',
  code: src,
  bindings: ['read', 'read', 'read', 'read', 'read_write', 'uniform'],
};
const TILE = 64;
const KS: KernelSource = { name: 'gemm_subgroup', code: gemmSubgroup, bindings: ['read', 'read', 'read_write', 'uniform'], features: ['subgroups'] };

export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
  /** per-column factor and offset fused into the product: C[m,n] = (A·B)[m,n]·colScale[n] + colBias[n] */
  colScale?: Tensor;
  colBias?: Tensor;
}

/** op(A)·op(B) without recording (used by forward and gradient rules alike). */
export function matmulRaw(a: Tensor, b: Tensor, o: MatmulOptions = {}): Tensor {
  if (a.rank !== 2 || b.rank !== 2) throw new RangeError(`matmul needs 2-D operands, got ${a.describe()} and ${b.describe()}`);
  const [M, Ka] = o.transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [Kb, N] = o.transB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (Ka !== Kb) {
    throw new RangeError(`matmul: inner dimensions differ: ${a.describe()}${o.transA ? 'ᵀ' : ''} · ${b.describe()}${o.transB ? 'ᵀ' : ''}`);
  }
  for (const t of [o.colScale, o.colBias]) {
    if (t && t.size !== N) throw new RangeError(`matmul: per-column ${t.describe()} should have ${N} values`);
  }
  const rt = a.rt;
  if (subgroupGemmAvailable(rt)) return subgroupMatmul(a, b, M, N, Ka, o);
  const c = empty([M, N], '', rt);
  const d = dummyBuffer(rt);
  rt.dispatch(
    rt.kernel(K, { TRANS_A: +!!o.transA, TRANS_B: +!!o.transB, HAS_SCALE: +!!o.colScale, HAS_BIAS: +!!o.colBias }),
    [a.buffer, b.buffer, o.colScale?.buffer ?? d, o.colBias?.buffer ?? d, c.buffer],
    { M, N, K: Ka },
    [Math.ceil(N / TILE), Math.ceil(M / TILE)],
  );
  return c;
}

/** The subgroup-broadcast GEMM (kernels/gemm_subgroup.wgsl), then the per-column epilogue if any. */
function subgroupMatmul(a: Tensor, b: Tensor, M: number, N: number, K: number, o: MatmulOptions): Tensor {
  const rt = a.rt;
  let c = empty([M, N], '', rt);
  const lanes = Math.ceil(N / 4);
  const wg = lanes >= 256 ? 64 : lanes >= 32 ? 32 : 8;
  rt.dispatch(
    rt.kernel(KS, {
      TRANS_A: +!!o.transA, TRANS_B: +!!o.transB, WG: wg,
      VEC_A: +(((o.transA ? M : K) % 4) === 0), VEC_B: +(((o.transB ? K : N) % 4) === 0),
    }),
    [a.buffer, b.buffer, c.buffer],
    { M, N, K },
    [Math.ceil(N / (4 * wg)), Math.ceil(M / 32)],
  );
  // per-column epilogue as a channel-broadcast op on [M, N] (cheap next to the product)
  for (const [t, op] of [[o.colScale, BinaryOp.Mul], [o.colBias, BinaryOp.Add]] as const) {
    if (!t) continue;
    const next = binaryRaw(c, t, op);
    c.dispose();
    c = next;
  }
  return c;
}

export function matmul(a: Tensor, b: Tensor, o: { transA?: boolean; transB?: boolean } = {}): Tensor {
  const y = matmulRaw(a, b, o);
  const { transA = false, transB = false } = o;
  return record('matmul', [a, b], y, (dy) => [
    // C = op(A)·op(B): dA = dC·op(B)ᵀ (transposed back if A was), dB = op(A)ᵀ·dC (likewise)
    a.requiresGrad ? (transA ? matmulRaw(b, dy, { transA: transB, transB: true }) : matmulRaw(dy, b, { transB: !transB })) : null,
    b.requiresGrad ? (transB ? matmulRaw(dy, a, { transA: true, transB: transA }) : matmulRaw(a, dy, { transA: !transA })) : null,
  ]);
}

/** y = x·Wᵀ + b, x [batch, in], W [out, in] (PyTorch's layout), b [out] or null. */
export function linear(x: Tensor, w: Tensor, b: Tensor | null = null): Tensor {
  if (x.rank !== 2 || w.rank !== 2 || x.shape[1] !== w.shape[1]) {
    throw new RangeError(`linear: input ${x.describe()} does not match weight ${w.describe()} ([out, in])`);
  }
  if (b && (b.rank !== 1 || b.shape[0] !== w.shape[0])) throw new RangeError(`linear: bias ${b.describe()} should be ${shapeStr([w.shape[0]])}`);
  const y = matmulRaw(x, w, { transB: true, colBias: b ?? undefined });
  const inputs = b ? [x, w, b] : [x, w];
  return record('linear', inputs, y, (dy) => {
    const g: (Tensor | null)[] = [
      x.requiresGrad ? matmulRaw(dy, w) : null,
      w.requiresGrad ? matmulRaw(dy, x, { transA: true }) : null,
    ];
    if (b) g.push(b.requiresGrad ? sumToShape(dy, b.shape) : null);
    return g;
  });
}

