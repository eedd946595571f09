/**
 * Batch normalisation (BatchNorm1d on [N, C], BatchNorm2d on [N, C, H, W]), affine, PyTorch semantics:
 * training mode normalises with batch statistics and updates the running statistics in place (momentum,
 * unbiased variance); eval mode uses the running statistics. Both are differentiable (the reconstruction
 * metric backpropagates through G in eval mode). Kernels: kernels/batchnorm.wgsl.
 *
 * `act` fuses the PReLU/TPReLU that follows (y = act(BN(x)), the same arithmetic as the two ops): forward
 * is a statistics pass and one elementwise pass, backward one pass for every gradient, where the separate ops
 * take 3 and 4.
 */
import src from '../../kernels/batchnorm.wgsl';
import type { KernelSource } from '../gpu/kernel.js';
import { record } from '../autograd/tape.js';
import { empty, type Tensor } from '../tensor/tensor.js';
import { dummyBuffer } from './launch.js';
import { channelView, checkPerChannel, quadGrid, walkStep } from './channels.js';

const K = {
  stats: { name: 'batchnorm:stats', code: src, entry: 'stats' },
  evalStats: { name: 'batchnorm:eval_stats', code: src, entry: 'eval_stats' },
  apply: { name: 'batchnorm:apply', code: src, entry: 'apply' },
  backward: { name: 'batchnorm:backward', code: src, entry: 'backward' },
  backwardDx: { name: 'batchnorm:backward_dx', code: src, entry: 'backward_dx' },
} satisfies Record<string, KernelSource>;
const WG = 64;
/** rows of the per-channel table the forward pass saves (kernels/batchnorm.wgsl) */
const SAVED_ROWS = 6;

export interface BatchNormOptions {
  training: boolean;
  eps?: number;
  momentum?: number;
}

/** The activation fused after the normalisation: PReLU (threshold null) or TPReLU. */
export interface FusedActivation {
  slope: Tensor;
  threshold: Tensor | null;
}

export function batchNorm(
  x: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVar: Tensor, o: BatchNormOptions,
  act: FusedActivation | null = null,
): Tensor {
  const what = act ? 'batch_norm_prelu' : 'batch_norm';
  const v = channelView(x, what);
  for (const [t, name] of [[gamma, 'weight'], [beta, 'bias'], [runningMean, 'running_mean'], [runningVar, 'running_var']] as const) {
    checkPerChannel(t, v.C, what, name);
  }
  checkPerChannel(act?.slope ?? null, v.C, what, 'slope');
  checkPerChannel(act?.threshold ?? null, v.C, what, 'threshold');
  const M = v.N * v.S;
  if (o.training && M < 2) throw new RangeError(`${what}: training needs more than one value per channel, got input ${x.describe()}`);
  const rt = x.rt;
  const d = dummyBuffer(rt);
  const ACT = act ? (act.threshold ? 2 : 1) : 0;
  const params = { N: v.N, C: v.C, S: v.S, eps: o.eps ?? 1e-5, momentum: o.momentum ?? 0.1, update_running: 1 };
  const saved = empty([SAVED_ROWS, v.C], 'bn-saved', rt);
  const statsBuffers = [gamma.buffer, beta.buffer, act?.slope.buffer ?? d, act?.threshold?.buffer ?? d, runningMean.buffer, runningVar.buffer, saved.buffer];
  if (o.training) {
    rt.dispatch(rt.kernel(K.stats, { ACT, Q: walkStep(v) }), [x.buffer, ...statsBuffers], params, [v.C]);
  } else {
    rt.dispatch(rt.kernel(K.evalStats, { ACT }), statsBuffers, params, [Math.ceil(v.C / WG)]);
  }
  const y = empty(x.shape, '', rt);
  const qg = quadGrid(v, rt);
  rt.dispatch(rt.kernel(K.apply, { ACT, ...qg.overrides }), [x.buffer, saved.buffer, y.buffer], params, qg.groups);

  const inputs = [x, gamma, beta];
  if (act) inputs.push(act.slope);
  if (act?.threshold) inputs.push(act.threshold);
  return record(what, inputs, y, (dy) => {
    if (!o.training && !inputs.slice(1).some((p) => p.requiresGrad)) {
      // eval mode with frozen parameters (the reconstruction metric): dx alone, elementwise
      if (!x.requiresGrad) return inputs.map(() => null);
      const dx = empty(x.shape, '', rt);
      rt.dispatch(rt.kernel(K.backwardDx, { ACT, ...qg.overrides }), [x.buffer, dy.buffer, saved.buffer, dx.buffer], params, qg.groups);
      return [dx, ...inputs.slice(1).map(() => null)];
    }
    // outputs a pass does not produce are bound to distinct small scratch buffers (writable bindings may not alias)
    const dx = empty(x.requiresGrad ? x.shape : [4], '', rt);
    const dgamma = empty([v.C], '', rt);
    const dbeta = empty([v.C], '', rt);
    const dslope = empty(act ? [v.C] : [4], '', rt);
    const dthreshold = empty(act?.threshold ? [v.C] : [4], '', rt);
    rt.dispatch(
      rt.kernel(K.backward, { ACT, TRAIN: +o.training, HAS_DX: +x.requiresGrad, Q: walkStep(v) }),
      [x.buffer, dy.buffer, saved.buffer, dx.buffer, dgamma.buffer, dbeta.buffer, dslope.buffer, dthreshold.buffer],
      params,
      [v.C],
    );
    const grads = [x.requiresGrad ? dx : null, gamma.requiresGrad ? dgamma : null, beta.requiresGrad ? dbeta : null];
    if (act) grads.push(act.slope.requiresGrad ? dslope : null);
    if (act?.threshold) grads.push(act.threshold.requiresGrad ? dthreshold : null);
    return grads;
  }, [saved]);
}
