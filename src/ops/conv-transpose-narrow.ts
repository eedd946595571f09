/**
 * The transposed convolution into ≤ 4 channels with stride 2, 4×4 kernel, padding 1
 * (kernels/conv_transpose_narrow.wgsl): the generator's image layer and the input gradient of the
 * discriminator's first layer, where the GEMM's 8-row tile would mostly idle.
 */
import src from '../../kernels/conv_transpose_narrow.wgsl';
import type { KernelSource } from '../gpu/kernel.js';
import { empty, type Tensor } from '../tensor/tensor.js';
import { dummyBuffer, grid1d, type Epilogue } from './launch.js';
import { subgroupGemmAvailable } from './conv-gemm.js';

const K: KernelSource = { name: 'conv_transpose_narrow', code: src, features: ['subgroups'] };
const WG = 64;

/**
 * Whether x [N,Cin,H,W] with w [Cin,Cout,KH,KW] into [OH,OW] takes the narrow kernel (as a conv2d input
 * gradient the output may be one larger than 2H, from an odd input size: then not).
 */
export function narrowTransposeApplies(x: Tensor, w: Tensor, OH: number, OW: number, stride: number, pad: number): boolean {
  const [, , H, W] = x.shape;
  const [, Cout, KH, KW] = w.shape;
  return Cout <= 4 && KH === 4 && KW === 4 && stride === 2 && pad === 1 && OH === 2 * H && OW === 2 * W && W % 4 === 0 &&
    subgroupGemmAvailable(x.rt);
}

/** y [N,Cout,2H,2W] = conv_transpose2d(x, w) with stride 2, padding 1, then the epilogue. */
export function convTransposeNarrow(x: Tensor, w: Tensor, ep: Epilogue): Tensor {
  const [N, Cin, H, W] = x.shape;
  const Cout = w.shape[1];
  const rt = x.rt;
  const y = empty([N, Cout, 2 * H, 2 * W], '', rt);
  const d = dummyBuffer(rt);
  rt.dispatch(
    rt.kernel(K, { WG, COUT: Cout, HAS_SCALE: +!!ep.scale, HAS_BIAS: +!!ep.bias }),
    [x.buffer, w.buffer, ep.scale?.buffer ?? d, ep.bias?.buffer ?? d, y.buffer],
    { N, Cin, H, W },
    grid1d((N * H * W) / 4, WG, rt),
  );
  return y;
}
