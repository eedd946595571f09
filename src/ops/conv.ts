/**
 * conv2d and conv_transpose2d (NCHW; weights [out,in,kh,kw] and [in,out,kh,kw] as in PyTorch) on the three
 * kernels of kernels/conv2d.wgsl. The transposed convolution's forward pass is the convolution's input
 * gradient and vice versa, so the same gather/scatter kernels serve both directions.
 */
import src from '../../kernels/conv2d.wgsl';
import type { KernelSource } from '../gpu/kernel.js';
import { record } from '../autograd/tape.js';
import { empty, reshapeView, type Tensor } from '../tensor/tensor.js';
import { dummyBuffer, grid1d } from './launch.js';
import { sumToShape } from './reduce.js';
import { convForwardGemm, convTransposeGemm, convWeightGradGemm, subgroupGemmAvailable } from './conv-gemm.js';

const B5 = ['read', 'read', 'read', 'read', 'read_write', 'uniform'] as const;
const K = {
  gather: { name: 'conv2d:gather', code: src, entry: 'gather', bindings: B5 },
  scatter: { name: 'conv2d:scatter', code: src, entry: 'scatter', bindings: B5 },
  weightGrad: { name: 'conv2d:weight_grad', code: src, entry: 'weight_grad', bindings: ['read', 'read', 'read_write', 'uniform'] },
} satisfies Record<string, KernelSource>;
const WG = 64;

export interface ConvOptions {
  stride?: number;
  padding?: number;
}

export interface Epilogue {
  /** per-output-channel factor (fused weight normalisation) */
  scale?: Tensor | null;
  bias?: Tensor | null;
}

function check4(t: Tensor, what: string): void {
  if (t.rank !== 4) throw new RangeError(`${what} must be 4-D, got ${t.describe()}`);
}

function launchConv(kind: 'gather' | 'scatter', x: Tensor, w: Tensor, outC: number, OH: number, OW: number, stride: number, pad: number, ep: Epilogue): Tensor {
  const [N, Cin, H, W] = x.shape;
  const rt = x.rt;
  const y = empty([N, outC, OH, OW], '', rt);
  const d = dummyBuffer(rt);
  rt.dispatch(
    rt.kernel(K[kind], { HAS_SCALE: +!!ep.scale, HAS_BIAS: +!!ep.bias }),
    [x.buffer, w.buffer, ep.scale?.buffer ?? d, ep.bias?.buffer ?? d, y.buffer],
    { N, Cin, H, W, Cout: outC, OH, OW, KH: w.shape[2], KW: w.shape[3], stride, pad },
    grid1d(y.size, WG, rt),
  );
  return y;
}

/** out[n,o] = Σ W[o,i] ⋆ in[n,i] (a convolution; W is [out,in,kh,kw]). */
export function convGatherRaw(x: Tensor, w: Tensor, OH: number, OW: number, stride: number, pad: number, ep: Epilogue = {}): Tensor {
  if (subgroupGemmAvailable(x.rt)) return convForwardGemm(x, w, OH, OW, stride, pad, ep);
  return launchConv('gather', x, w, w.shape[0], OH, OW, stride, pad, ep);
}

/** out[n,o] = Σ W[i,o] ⋆ᵀ in[n,i] (a transposed convolution; W is [in,out,kh,kw]). */
export function convScatterRaw(x: Tensor, w: Tensor, OH: number, OW: number, stride: number, pad: number, ep: Epilogue = {}): Tensor {
  if (subgroupGemmAvailable(x.rt) && stride <= w.shape[2] && stride <= w.shape[3]) return convTransposeGemm(x, w, OH, OW, stride, pad, ep);
  return launchConv('scatter', x, w, w.shape[1], OH, OW, stride, pad, ep);
}

/** dW[a,b,kh,kw] = Σ_{n,y,x} g[n,a,y,x] · big[n,b,y·s−p+kh, x·s−p+kw]. */
export function convWeightGradRaw(g: Tensor, big: Tensor, KH: number, KW: number, stride: number, pad: number): Tensor {
  if (subgroupGemmAvailable(g.rt)) return convWeightGradGemm(g, big, KH, KW, stride, pad);
  const [N, A, OH, OW] = g.shape;
  const [, Bc, H, W] = big.shape;
  const rt = g.rt;
  const dw = empty([A, Bc, KH, KW], '', rt);
  rt.dispatch(
    rt.kernel(K.weightGrad),
    [big.buffer, g.buffer, dw.buffer],
    { N, Cin: Bc, H, W, Cout: A, OH, OW, KH, KW, stride, pad },
    grid1d(dw.size, WG, rt),
  );
  return dw;
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

export function conv2d(x: Tensor, w: Tensor, b: Tensor | null = null, o: ConvOptions = {}): Tensor {
  const stride = o.stride ?? 1;
  const pad = o.padding ?? 0;
  check4(x, 'conv2d input');
  check4(w, 'conv2d weight');
  if (x.shape[1] !== w.shape[1]) throw new RangeError(`conv2d: input ${x.describe()} has ${x.shape[1]} channels, weight ${w.describe()} expects ${w.shape[1]}`);
  if (b && b.size !== w.shape[0]) throw new RangeError(`conv2d: bias ${b.describe()} should have ${w.shape[0]} values`);
  const [, , H, W] = x.shape;
  const [, , KH, KW] = w.shape;
  const OH = convOutputSize(H, KH, stride, pad);
  const OW = convOutputSize(W, KW, stride, pad);
  if (OH <= 0 || OW <= 0) throw new RangeError(`conv2d: kernel ${KH}×${KW} does not fit input ${x.describe()} with padding ${pad}`);
  const y = convGatherRaw(x, w, OH, OW, stride, pad, { bias: b });
  return record('conv2d', b ? [x, w, b] : [x, w], y, (dy) => {
    const g: (Tensor | null)[] = [
      x.requiresGrad ? convScatterRaw(dy, w, H, W, stride, pad) : null,
      w.requiresGrad ? convWeightGradRaw(dy, x, KH, KW, stride, pad) : null,
    ];
    if (b) g.push(b.requiresGrad ? channelSum(dy) : null);
    return g;
  });
}

export function convTranspose2d(x: Tensor, w: Tensor, b: Tensor | null = null, o: ConvOptions = {}): Tensor {
  const stride = o.stride ?? 1;
  const pad = o.padding ?? 0;
  check4(x, 'conv_transpose2d input');
  check4(w, 'conv_transpose2d weight');
  if (x.shape[1] !== w.shape[0]) {
    throw new RangeError(`conv_transpose2d: input ${x.describe()} has ${x.shape[1]} channels, weight ${w.describe()} ([in,out,kh,kw]) expects ${w.shape[0]}`);
  }
  if (b && b.size !== w.shape[1]) throw new RangeError(`conv_transpose2d: bias ${b.describe()} should have ${w.shape[1]} values`);
  const [, , H, W] = x.shape;
  const [, , KH, KW] = w.shape;
  const OH = convTransposeOutputSize(H, KH, stride, pad);
  const OW = convTransposeOutputSize(W, KW, stride, pad);
  if (OH <= 0 || OW <= 0) throw new RangeError(`conv_transpose2d: output would be empty for ${x.describe()}`);
  const y = convScatterRaw(x, w, OH, OW, stride, pad, { bias: b });
  return record('conv_transpose2d', b ? [x, w, b] : [x, w], y, (dy) => {
    const g: (Tensor | null)[] = [
      x.requiresGrad ? convGatherRaw(dy, w, H, W, stride, pad) : null,
      w.requiresGrad ? convWeightGradRaw(x, dy, KH, KW, stride, pad) : null,
    ];
    if (b) g.push(b.requiresGrad ? channelSum(dy) : null);
    return g;
  });
}
