/**
 * conv2d and conv_transpose2d (NCHW; weights [out,in,kh,kw] and [in,out,kh,kw] as in PyTorch) behind one
 * descriptor, ConvKind. The transposed convolution's forward pass is the convolution's input gradient and
 * vice versa, so both are made of the same three passes:
 *   gather   out[n,o] = Σ_i W[o,i] ⋆ in[n,i]    (conv2d forward; conv_transpose2d input gradient)
 *   scatter  out[n,o] = Σ_i W[i,o] ⋆ᵀ in[n,i]   (conv_transpose2d forward; conv2d input gradient)
 *   weight gradient
 * Each pass picks its kernel here, in one place: the subgroup implicit-GEMM kernels (conv-gemm.ts) where the
 * device has subgroups of ≥ 8 lanes (and, for the stride-2 4×4 scatter into ≤ 4 channels, a kernel of its
 * own: conv-transpose-narrow.ts), else the portable direct kernels (conv-direct.ts).
 */
import { record } from '../autograd/tape.js';
import { reshapeView, type Tensor } from '../tensor/tensor.js';
import type { Epilogue } from './launch.js';
import { sumToShape } from './reduce.js';
import { convForwardGemm, convTransposeGemm, convWeightGradGemm, subgroupGemmAvailable } from './conv-gemm.js';
import { convDirect, convWeightGradDirect } from './conv-direct.js';
import { convTransposeNarrow, narrowTransposeApplies } from './conv-transpose-narrow.js';

export type { Epilogue } from './launch.js';

export interface ConvOptions {
  stride?: number;
  padding?: number;
}

/** out[n,o] = Σ W[o,i] ⋆ in[n,i] (a convolution; W is [out,in,kh,kw]). */
export function convGatherRaw(x: Tensor, w: Tensor, OH: number, OW: number, stride: number, pad: number, ep: Epilogue = {}): Tensor {
  if (subgroupGemmAvailable(x.rt)) return convForwardGemm(x, w, OH, OW, stride, pad, ep);
  return convDirect('gather', x, w, OH, OW, stride, pad, ep);
}

/** out[n,o] = Σ W[i,o] ⋆ᵀ in[n,i] (a transposed convolution; W is [in,out,kh,kw]). */
export function convScatterRaw(x: Tensor, w: Tensor, OH: number, OW: number, stride: number, pad: number, ep: Epilogue = {}): Tensor {
  if (narrowTransposeApplies(x, w, OH, OW, stride, pad)) return convTransposeNarrow(x, w, ep);
  // the GEMM's phase decomposition needs every phase to have a tap: stride ≤ kernel
  if (subgroupGemmAvailable(x.rt) && stride <= w.shape[2] && stride <= w.shape[3]) return convTransposeGemm(x, w, OH, OW, stride, pad, ep);
  return convDirect('scatter', x, w, OH, OW, stride, pad, ep);
}

/** dW[a,b,kh,kw] = Σ_{n,y,x} g[n,a,y,x] · big[n,b,y·s−p+kh, x·s−p+kw]. */
export function convWeightGradRaw(g: Tensor, big: Tensor, KH: number, KW: number, stride: number, pad: number): Tensor {
  if (subgroupGemmAvailable(g.rt)) return convWeightGradGemm(g, big, KH, KW, stride, pad);
  return convWeightGradDirect(g, big, KH, KW, stride, pad);
}

export function convOutputSize(inSize: number, k: number, stride: number, pad: number): number {
  return Math.floor((inSize + 2 * pad - k) / stride) + 1;
}

export function convTransposeOutputSize(inSize: number, k: number, stride: number, pad: number): number {
  return (inSize - 1) * stride - 2 * pad + k;
}

/** Sum of dy over batch and space, per channel (a bias gradient). */
export function channelSum(dy: Tensor): Tensor {
  const s = sumToShape(dy, [1, dy.shape[1], 1, 1]);
  const out = reshapeView(s, [dy.shape[1]]);
  s.dispose();
  return out;
}

/** A convolution direction: its weight layout, output size and the three passes it is made of. */
export interface ConvKind {
  name: 'conv2d' | 'conv_transpose2d';
  /** the weight axis that holds the output channels (the other of the first two holds the input channels) */
  outAxis: 0 | 1;
  outputSize(inSize: number, k: number, stride: number, pad: number): number;
  forward(x: Tensor, w: Tensor, OH: number, OW: number, stride: number, pad: number, ep?: Epilogue): Tensor;
  /** ∂L/∂x from dy (the other direction's forward pass) */
  inputGrad(dy: Tensor, w: Tensor, H: number, W: number, stride: number, pad: number): Tensor;
  /** ∂L/∂w from dy and x, in this kind's weight layout */
  weightGrad(dy: Tensor, x: Tensor, KH: number, KW: number, stride: number, pad: number): Tensor;
}

export const CONV2D: ConvKind = {
  name: 'conv2d',
  outAxis: 0,
  outputSize: convOutputSize,
  forward: convGatherRaw,
  inputGrad: convScatterRaw,
  weightGrad: convWeightGradRaw, // (g = dy, big = x)
};

export const CONV_TRANSPOSE2D: ConvKind = {
  name: 'conv_transpose2d',
  outAxis: 1,
  outputSize: convTransposeOutputSize,
  forward: convScatterRaw,
  inputGrad: convGatherRaw,
  weightGrad: (dy, x, KH, KW, s, p) => convWeightGradRaw(x, dy, KH, KW, s, p),
};

/** The validated geometry of one layer call. */
export interface ConvGeometry {
  stride: number;
  pad: number;
  H: number; W: number;
  KH: number; KW: number;
  OH: number; OW: number;
  /** output channels */
  O: number;
}

/** Checks x and w against each other (errors name the op and both shapes) and works out the output size. */
export function convGeometry(kind: ConvKind, x: Tensor, w: Tensor, o: ConvOptions = {}, op: string = kind.name): ConvGeometry {
  const stride = o.stride ?? 1;
  const pad = o.padding ?? 0;
  if (x.rank !== 4) throw new RangeError(`${op} input must be 4-D, got ${x.describe()}`);
  if (w.rank !== 4) throw new RangeError(`${op} weight must be 4-D, got ${w.describe()}`);
  const inAxis = 1 - kind.outAxis;
  if (x.shape[1] !== w.shape[inAxis]) {
    const layout = kind.outAxis === 0 ? '[out,in,kh,kw]' : '[in,out,kh,kw]';
    throw new RangeError(`${op}: input ${x.describe()} has ${x.shape[1]} channels, weight ${w.describe()} (${layout}) expects ${w.shape[inAxis]}`);
  }
  const [, , H, W] = x.shape;
  const [, , KH, KW] = w.shape;
  const OH = kind.outputSize(H, KH, stride, pad);
  const OW = kind.outputSize(W, KW, stride, pad);
  if (OH <= 0 || OW <= 0) throw new RangeError(`${op}: kernel ${KH}×${KW} with stride ${stride} and padding ${pad} gives an empty output for ${x.describe()}`);
  return { stride, pad, H, W, KH, KW, OH, OW, O: w.shape[kind.outAxis] };
}

/** y = conv(x, w) + b for either kind, with its gradient rule. */
export function convolution(kind: ConvKind, x: Tensor, w: Tensor, b: Tensor | null = null, o: ConvOptions = {}): Tensor {
  const g = convGeometry(kind, x, w, o);
  if (b && b.size !== g.O) throw new RangeError(`${kind.name}: bias ${b.describe()} should have ${g.O} values`);
  const y = kind.forward(x, w, g.OH, g.OW, g.stride, g.pad, { bias: b });
  return record(kind.name, b ? [x, w, b] : [x, w], y, (dy) => {
    const grads: (Tensor | null)[] = [
      x.requiresGrad ? kind.inputGrad(dy, w, g.H, g.W, g.stride, g.pad) : null,
      w.requiresGrad ? kind.weightGrad(dy, x, g.KH, g.KW, g.stride, g.pad) : null,
    ];
    if (b) grads.push(b.requiresGrad ? channelSum(dy) : null);
    return grads;
  });
}

export function conv2d(x: Tensor, w: Tensor, b: Tensor | null = null, o: ConvOptions = {}): Tensor {
  return convolution(CONV2D, x, w, b, o);
}

export function convTranspose2d(x: Tensor, w: Tensor, b: Tensor | null = null, o: ConvOptions = {}): Tensor {
  return convolution(CONV_TRANSPOSE2D, x, w, b, o);
}
