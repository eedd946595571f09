/**
 * The paper's weight-normalised layers (not Salimans & Kingma's): per output channel o,
 *   strict:  y_o = (v_o ⋆ x) / ‖v_o‖          affine:  y_o = γ_o · (v_o ⋆ x) / ‖v_o‖ + β_o
 * with ‖v_o‖ = sqrt(Σ v_o² + eps) (eps 1e-6 for convolutions, 1e-8 for linear), and transposed convolutions
 * multiplied by sqrt(stride_h·stride_w). Fused: one small kernel computes s_o = factor·γ_o/‖v_o‖ and the
 * conv/matmul kernel applies s_o and β_o in its epilogue (kernels/weight_norm.wgsl).
 */
import src from '../../kernels/weight_norm.wgsl';
import type { KernelSource } from '../gpu/kernel.js';
import { record } from '../autograd/tape.js';
import { empty, reshapeView, type Tensor } from '../tensor/tensor.js';
import { dummyBuffer } from './launch.js';
import { mulRaw } from './elementwise.js';
import { matmulRaw } from './matmul.js';
import { sumToShape } from './reduce.js';
import { CONV2D, CONV_TRANSPOSE2D, channelSum, convGeometry, type ConvKind } from './conv.js';

const K = {
  scale: { name: 'weight_norm:scale', code: src, entry: 'scale' },
  backward: { name: 'weight_norm:backward', code: src, entry: 'backward' },
  scaleLanes: { name: 'weight_norm:scale_lanes', code: src, entry: 'scale_lanes' },
  backwardLanes: { name: 'weight_norm:backward_lanes', code: src, entry: 'backward_lanes' },
} satisfies Record<string, KernelSource>;
const WG = 64;

/**
 * The kernel path for a layer: a lane per output channel where there are many channels with short rows
 * (the workgroup-per-channel reduction tree would dominate), else a workgroup per channel.
 */
function perLane(L: WnLayout): boolean {
  return L.O >= 512 && L.J <= 256;
}

export const WN_EPS_CONV = 1e-6;
export const WN_EPS_LINEAR = 1e-8;

interface WnLayout {
  O: number;
  J: number;
  KK: number;
  outMajor: boolean;
  eps: number;
  factor: number;
}

function wnScale(v: Tensor, gamma: Tensor | null, L: WnLayout): { s: Tensor; n: Tensor } {
  const rt = v.rt;
  const s = empty([L.O], 'wn-scale', rt);
  const n = empty([L.O], 'wn-norm', rt);
  const lanes = perLane(L);
  rt.dispatch(
    rt.kernel(lanes ? K.scaleLanes : K.scale, { OUT_MAJOR: +L.outMajor, AFFINE: +!!gamma }),
    [v.buffer, gamma?.buffer ?? dummyBuffer(rt), s.buffer, n.buffer],
    { O: L.O, J: L.J, KK: L.KK, eps: L.eps, factor: L.factor },
    [lanes ? Math.ceil(L.O / WG) : L.O],
  );
  return { s, n };
}

/** ∂L/∂v and ∂L/∂γ from G = ∂L/∂w_eff. */
function wnBackward(v: Tensor, G: Tensor, s: Tensor, n: Tensor, affine: boolean, L: WnLayout): { dv: Tensor; dgamma: Tensor | null } {
  const rt = v.rt;
  const dv = empty(v.shape, '', rt);
  const dgamma = affine ? empty([L.O], '', rt) : null;
  const lanes = perLane(L);
  rt.dispatch(
    rt.kernel(lanes ? K.backwardLanes : K.backward, { OUT_MAJOR: +L.outMajor, AFFINE: +affine }),
    [v.buffer, G.buffer, s.buffer, n.buffer, dv.buffer, dgamma?.buffer ?? dummyBuffer(rt)],
    { O: L.O, J: L.J, KK: L.KK, eps: L.eps, factor: L.factor },
    [lanes ? Math.ceil(L.O / WG) : L.O],
  );
  return { dv, dgamma };
}

export interface WnOptions {
  stride?: number;
  padding?: number;
  eps?: number;
}

function checkAffine(gamma: Tensor | null, beta: Tensor | null, O: number, what: string): void {
  if (!!gamma !== !!beta) throw new Error(`${what}: the affine form needs both γ and β (got only one)`);
  for (const t of [gamma, beta]) {
    if (t && t.size !== O) throw new RangeError(`${what}: ${t.describe()} should have ${O} values (one per output channel)`);
  }
}

/** v with the slice of output channel o (v's axis `outAxis`: 0 or 1) multiplied by s[o], in v's shape. */
function scaleChannels(v: Tensor, s: Tensor, outAxis: 0 | 1): Tensor {
  const O = v.shape[outAxis];
  // as [lead, O, rest] with s per channel (axis 1): the per-channel binary kernel
  const lead = outAxis === 0 ? 1 : v.shape[0];
  const flat = reshapeView(v, [lead, O, v.size / (lead * O)]);
  const perChannel = reshapeView(s, [1, O, 1]);
  const scaled = mulRaw(flat, perChannel);
  flat.dispose();
  perChannel.dispose();
  const out = reshapeView(scaled, v.shape);
  scaled.dispose();
  return out;
}

function gradients(inputs: (Tensor | null)[], values: (Tensor | null)[]): (Tensor | null)[] {
  return inputs.flatMap((t, i) => (t ? [t.requiresGrad ? values[i] : (values[i]?.dispose(), null)] : []));
}

/**
 * y = γ·conv(x, v/‖v‖) + β (affine) or conv(x, v/‖v‖) (strict: pass null γ, β) for either convolution
 * kind; the norm is per output channel (v's axis kind.outAxis), and a transposed convolution is multiplied
 * by its stride (sqrt(stride_h·stride_w) with equal strides).
 */
export function wnConvolution(kind: ConvKind, x: Tensor, v: Tensor, gamma: Tensor | null, beta: Tensor | null, o: WnOptions = {}): Tensor {
  const op = `wn_${kind.name}`;
  const g = convGeometry(kind, x, v, o, op);
  const { O } = g;
  checkAffine(gamma, beta, O, op);
  const L: WnLayout = {
    O, J: v.size / O, KK: g.KH * g.KW, outMajor: kind.outAxis === 0, eps: o.eps ?? WN_EPS_CONV,
    factor: kind.outAxis === 0 ? 1 : Math.sqrt(g.stride * g.stride),
  };
  const { s, n } = wnScale(v, gamma, L);
  const y = kind.forward(x, v, g.OH, g.OW, g.stride, g.pad, { scale: s, bias: beta });
  const inputs = [x, v, gamma, beta];
  return record(op, inputs.filter((t) => t) as Tensor[], y, (dy) => {
    // ∂L/∂x = inputGrad(dy·s) = inputGrad(dy) with v's output channels scaled by s. Scaling v is one pass over
    // the weights instead of one over dy (smaller in every layer of the metric, and over a training iteration),
    // and it does not depend on the batch size, so the metric's super-batches stay bitwise equal to batch 32.
    let dx: Tensor | null = null;
    if (x.requiresGrad) {
      const vs = scaleChannels(v, s, kind.outAxis);
      dx = kind.inputGrad(dy, vs, g.H, g.W, g.stride, g.pad);
      vs.dispose();
    }
    const G = v.requiresGrad || gamma?.requiresGrad ? kind.weightGrad(dy, x, g.KH, g.KW, g.stride, g.pad) : null;
    const { dv, dgamma } = G ? wnBackward(v, G, s, n, !!gamma, L) : { dv: null, dgamma: null };
    return gradients(inputs, [dx, dv, dgamma, beta ? channelSum(dy) : null]);
  }, [s, n]);
}

/** The weight-normalised conv2d; v is [out,in,kh,kw]. */
export function wnConv2d(x: Tensor, v: Tensor, gamma: Tensor | null, beta: Tensor | null, o: WnOptions = {}): Tensor {
  return wnConvolution(CONV2D, x, v, gamma, beta, o);
}

/** The weight-normalised transposed convolution; v is [in,out,kh,kw]. */
export function wnConvTranspose2d(x: Tensor, v: Tensor, gamma: Tensor | null, beta: Tensor | null, o: WnOptions = {}): Tensor {
  return wnConvolution(CONV_TRANSPOSE2D, x, v, gamma, beta, o);
}

/** y = γ·(x·(v/‖v‖)ᵀ) + β or the strict form; v is [out,in]. */
export function wnLinear(x: Tensor, v: Tensor, gamma: Tensor | null, beta: Tensor | null, o: { eps?: number } = {}): Tensor {
  const [O, I] = v.shape;
  if (x.rank !== 2 || v.rank !== 2 || x.shape[1] !== I) throw new RangeError(`wn_linear: input ${x.describe()} does not match weight ${v.describe()}`);
  checkAffine(gamma, beta, O, 'wn_linear');
  const L: WnLayout = { O, J: I, KK: 1, outMajor: true, eps: o.eps ?? WN_EPS_LINEAR, factor: 1 };
  const { s, n } = wnScale(v, gamma, L);
  const y = matmulRaw(x, v, { transB: true, colScale: s, colBias: beta ?? undefined });
  const inputs = [x, v, gamma, beta];
  return record('wn_linear', inputs.filter((t) => t) as Tensor[], y, (dy) => {
    // ∂L/∂x = (dy·s)·v = dy·(v with row o scaled by s_o), for the same reasons as in wnConvolution
    let dx: Tensor | null = null;
    if (x.requiresGrad) {
      const vs = scaleChannels(v, s, 0);
      dx = matmulRaw(dy, vs);
      vs.dispose();
    }
    const G = v.requiresGrad || gamma?.requiresGrad ? matmulRaw(dy, x, { transA: true }) : null;
    const { dv, dgamma } = G ? wnBackward(v, G, s, n, !!gamma, L) : { dv: null, dgamma: null };
    return gradients(inputs, [dx, dv, dgamma, beta ? sumToShape(dy, [O]) : null]);
  }, [s, n]);
}
