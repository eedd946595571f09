/**
 * The portable direct convolution kernels (kernels/conv2d.wgsl): one lane per output element, for devices
 * without subgroups (e.g. Chromium's SwiftShader). conv.ts chooses between these and the GEMM kernels.
 */
import src from '../../kernels/conv2d.wgsl';
import type { KernelSource } from '../gpu/kernel.js';
import { empty, type Tensor } from '../tensor/tensor.js';
import { dummyBuffer, grid1d, type Epilogue } from './launch.js';

const K = {
  gather: { name: 'conv2d:gather', code: src, entry: 'gather' },
  scatter: { name: 'conv2d:scatter', code: src, entry: 'scatter' },
  weightGrad: { name: 'conv2d:weight_grad', code: src, entry: 'weight_grad' },
} satisfies Record<string, KernelSource>;
const WG = 64;

/** gather: W [out,in,kh,kw] (a convolution); scatter: W [in,out,kh,kw] (a transposed convolution). */
export function convDirect(kind: 'gather' | 'scatter', x: Tensor, w: Tensor, OH: number, OW: number, stride: number, pad: number, ep: Epilogue): Tensor {
  const [N, Cin, H, W] = x.shape;
  const outC = kind === 'gather' ? w.shape[0] : w.shape[1];
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

/** dW[a,b,kh,kw] = Σ_{n,y,x} g[n,a,y,x] · big[n,b,y·s−p+kh, x·s−p+kw], a lane per weight. */
export function convWeightGradDirect(g: Tensor, big: Tensor, KH: number, KW: number, stride: number, pad: number): Tensor {
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
