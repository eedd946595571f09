/**
 * Batch normalisation (BatchNorm1d on [N, C], BatchNorm2d on [N, C, H, W]), affine, PyTorch semantics:
 * training mode normalises with batch statistics and updates the running statistics in place (momentum,
 * unbiased variance); eval mode uses the running statistics. Both are differentiable (the reconstruction
 * metric backpropagates through G in eval mode). Kernels: kernels/batchnorm.wgsl.
 */
import kernelSrc from '../../kernels/batchnorm.wgsl';
import channelLib from '../../kernels/lib/channel.wgsl';

const src = kernelSrc + channelLib;
import type { KernelSource } from '../gpu/kernel.js';
import { record } from '../autograd/tape.js';
import { empty, type Tensor } from '../tensor/tensor.js';
import { channelView, checkPerChannel, planeGrid } from './channels.js';

const K = {
  stats: { name: 'batchnorm:stats', code: src, entry: 'stats', bindings: ['read', 'read_write', 'read_write', 'read_write', 'read_write', 'uniform'] },
  evalStats: { name: 'batchnorm:eval_stats', code: src, entry: 'eval_stats', bindings: ['read', 'read', 'read_write', 'read_write', 'uniform'] },
  apply: { name: 'batchnorm:apply', code: src, entry: 'apply', bindings: ['read', 'read', 'read', 'read', 'read', 'read_write', 'uniform'] },
  backwardReduce: {
    name: 'batchnorm:backward_reduce', code: src, entry: 'backward_reduce',
    bindings: ['read', 'read', 'read', 'read', 'read_write', 'read_write', 'uniform'],
  },
  backwardInput: {
    name: 'batchnorm:backward_input', code: src, entry: 'backward_input',
    bindings: ['read', 'read', 'read', 'read', 'read', 'read', 'read', 'read_write', 'uniform'],
  },
} satisfies Record<string, KernelSource>;
const WG = 64;

export interface BatchNormOptions {
  training: boolean;
  eps?: number;
  momentum?: number;
}

export function batchNorm(
  x: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVar: Tensor, o: BatchNormOptions,
): Tensor {
  const v = channelView(x, 'batch_norm');
  for (const [t, name] of [[gamma, 'weight'], [beta, 'bias'], [runningMean, 'running_mean'], [runningVar, 'running_var']] as const) {
    checkPerChannel(t, v.C, 'batch_norm', name);
  }
  const M = v.N * v.S;
  if (o.training && M < 2) throw new RangeError(`batch_norm: training needs more than one value per channel, got input ${x.describe()}`);
  const rt = x.rt;
  const eps = o.eps ?? 1e-5;
  const params = { N: v.N, C: v.C, S: v.S, eps, momentum: o.momentum ?? 0.1, update_running: 1 };
  const mean = empty([v.C], 'bn-mean', rt);
  const invstd = empty([v.C], 'bn-invstd', rt);
  if (o.training) {
    rt.dispatch(rt.kernel(K.stats), [x.buffer, runningMean.buffer, runningVar.buffer, mean.buffer, invstd.buffer], params, [v.C]);
  } else {
    rt.dispatch(rt.kernel(K.evalStats), [runningMean.buffer, runningVar.buffer, mean.buffer, invstd.buffer], params, [Math.ceil(v.C / WG)]);
  }
  const y = empty(x.shape, '', rt);
  const pg = planeGrid(v);
  rt.dispatch(rt.kernel(K.apply, { WG: pg.wg }), [x.buffer, mean.buffer, invstd.buffer, gamma.buffer, beta.buffer, y.buffer], params, pg.groups);
  return record('batch_norm', [x, gamma, beta], y, (dy) => {
    const dgamma = empty([v.C], '', rt);
    const dbeta = empty([v.C], '', rt);
    if (o.training || gamma.requiresGrad || beta.requiresGrad) rt.dispatch(rt.kernel(K.backwardReduce), [x.buffer, dy.buffer, mean.buffer, invstd.buffer, dgamma.buffer, dbeta.buffer], params, [v.C]);
    let dx: Tensor | null = null;
    if (x.requiresGrad) {
      dx = empty(x.shape, '', rt);
      rt.dispatch(
        rt.kernel(K.backwardInput, { TRAIN: +o.training, WG: pg.wg }),
        [x.buffer, dy.buffer, mean.buffer, invstd.buffer, gamma.buffer, dgamma.buffer, dbeta.buffer, dx.buffer],
        params,
        pg.groups,
      );
    }
    return [dx, gamma.requiresGrad ? dgamma : null, beta.requiresGrad ? dbeta : null];
  }, [mean, invstd]);
}
