/**
 * The layers the paper's models use. Parameter names follow PyTorch where a PyTorch layer exists
 * (Linear/Conv2d/ConvTranspose2d: weight, bias; BatchNorm: weight, bias, running_mean, running_var,
 * num_batches_tracked; PReLU: weight). The paper's own layers are named as documented in the README:
 * weight-normalised layers hold the direction `weight` (v) and, when affine, `gain` (γ) and `bias` (β);
 * TPReLU holds `weight` (slope a) and `threshold` (b). Default init is PyTorch's: U(±1/sqrt(fan_in)) with
 * fan_in = in·kh·kw, the same rule for transposed convolutions (as the paper's Torch code).
 */
import type { Rng } from '../util/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';
import { constant, uniform } from './init.js';
import { linear } from '../ops/matmul.js';
import { conv2d, convTranspose2d } from '../ops/conv.js';
import { wnConv2d, wnConvTranspose2d, wnLinear } from '../ops/weight-norm.js';
import { batchNorm, type FusedActivation } from '../ops/batchnorm.js';
import { prelu, tprelu } from '../ops/prelu.js';
import { reshape, sigmoid } from '../ops/elementwise.js';

export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  constructor(rng: Rng, readonly inF: number, readonly outF: number, initScale = 1) {
    super();
    const b = initScale / Math.sqrt(inF);
    this.weight = this.param('weight', uniform(rng, [outF, inF], b));
    this.bias = this.param('bias', uniform(rng, [outF], b));
  }
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}

export interface ConvSpec {
  inC: number;
  outC: number;
  kernel: number;
  stride: number;
  padding: number;
}

export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  constructor(rng: Rng, readonly s: ConvSpec) {
    super();
    const b = 1 / Math.sqrt(s.inC * s.kernel * s.kernel);
    this.weight = this.param('weight', uniform(rng, [s.outC, s.inC, s.kernel, s.kernel], b));
    this.bias = this.param('bias', uniform(rng, [s.outC], b));
  }
  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, { stride: this.s.stride, padding: this.s.padding });
  }
}

export class ConvTranspose2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  constructor(rng: Rng, readonly s: ConvSpec) {
    super();
    const b = 1 / Math.sqrt(s.inC * s.kernel * s.kernel);
    this.weight = this.param('weight', uniform(rng, [s.inC, s.outC, s.kernel, s.kernel], b));
    this.bias = this.param('bias', uniform(rng, [s.outC], b));
  }
  forward(x: Tensor): Tensor {
    return convTranspose2d(x, this.weight, this.bias, { stride: this.s.stride, padding: this.s.padding });
  }
}

/** Strict (y = wᵀx/‖w‖) or affine (y = γ·wᵀx/‖w‖ + β) weight-normalised layers, the paper's definition. */
abstract class WnBase extends Module {
  readonly gain: Tensor | null = null;
  readonly bias: Tensor | null = null;
  protected initAffine(affine: boolean, outC: number): void {
    if (!affine) return;
    (this as { gain: Tensor | null }).gain = this.param('gain', constant([outC], 1));
    (this as { bias: Tensor | null }).bias = this.param('bias', constant([outC], 0));
  }
}

export class WNLinear extends WnBase {
  readonly weight: Tensor;
  constructor(rng: Rng, readonly inF: number, readonly outF: number, readonly affine: boolean, initScale = 1) {
    super();
    this.weight = this.param('weight', uniform(rng, [outF, inF], initScale / Math.sqrt(inF)));
    this.initAffine(affine, outF);
  }
  forward(x: Tensor): Tensor {
    return wnLinear(x, this.weight, this.gain, this.bias);
  }
}

export class WNConv2d extends WnBase {
  readonly weight: Tensor;
  constructor(rng: Rng, readonly s: ConvSpec, readonly affine: boolean) {
    super();
    this.weight = this.param('weight', uniform(rng, [s.outC, s.inC, s.kernel, s.kernel], 1 / Math.sqrt(s.inC * s.kernel * s.kernel)));
    this.initAffine(affine, s.outC);
  }
  forward(x: Tensor): Tensor {
    return wnConv2d(x, this.weight, this.gain, this.bias, { stride: this.s.stride, padding: this.s.padding });
  }
}

export class WNConvTranspose2d extends WnBase {
  readonly weight: Tensor;
  constructor(rng: Rng, readonly s: ConvSpec, readonly affine: boolean) {
    super();
    this.weight = this.param('weight', uniform(rng, [s.inC, s.outC, s.kernel, s.kernel], 1 / Math.sqrt(s.inC * s.kernel * s.kernel)));
    this.initAffine(affine, s.outC);
  }
  forward(x: Tensor): Tensor {
    return wnConvTranspose2d(x, this.weight, this.gain, this.bias, { stride: this.s.stride, padding: this.s.padding });
  }
}

/** BatchNorm1d/2d (by input rank): affine, eps 1e-5, momentum 0.1; running statistics in eval mode. */
export class BatchNorm extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
  constructor(readonly channels: number, readonly eps = 1e-5, readonly momentum = 0.1) {
    super();
    this.weight = this.param('weight', constant([channels], 1));
    this.bias = this.param('bias', constant([channels], 0));
    this.runningMean = this.buffer('running_mean', constant([channels], 0));
    this.runningVar = this.buffer('running_var', constant([channels], 1));
    this.counters.set('num_batches_tracked', 0);
  }
  forward(x: Tensor): Tensor {
    return this.run(x, null);
  }
  /** BN then PReLU/TPReLU in fused passes (ops/batchnorm.ts); exact classes only, so an override of forward is never skipped. */
  override fuseWith(next: Module | undefined): ((x: Tensor) => Tensor) | null {
    if (next?.constructor === TPReLU) {
      const t = next as TPReLU;
      return (x) => this.run(x, { slope: t.weight, threshold: t.threshold });
    }
    if (next?.constructor === PReLU) {
      const p = next as PReLU;
      return (x) => this.run(x, { slope: p.weight, threshold: null });
    }
    return null;
  }
  private run(x: Tensor, act: FusedActivation | null): Tensor {
    if (this.training) this.counters.set('num_batches_tracked', this.counters.get('num_batches_tracked')! + 1);
    return batchNorm(x, this.weight, this.bias, this.runningMean, this.runningVar, {
      training: this.training, eps: this.eps, momentum: this.momentum,
    }, act);
  }
}

/** PReLU with a per-channel slope (init 0.25), clamped to [0, 1] after every optimiser step. */
export class PReLU extends Module {
  readonly weight: Tensor;
  constructor(readonly channels: number) {
    super();
    this.weight = this.param('weight', constant([channels], 0.25), [0, 1]);
  }
  forward(x: Tensor): Tensor {
    return prelu(x, this.weight);
  }
}

/** The paper's TPReLU: PReLU_a(x − b) + b with per-channel slope a (0.25, clamped to [0, 1]) and threshold b (0). */
export class TPReLU extends Module {
  readonly weight: Tensor;
  readonly threshold: Tensor;
  constructor(readonly channels: number) {
    super();
    this.weight = this.param('weight', constant([channels], 0.25), [0, 1]);
    this.threshold = this.param('threshold', constant([channels], 0));
  }
  forward(x: Tensor): Tensor {
    return tprelu(x, this.weight, this.threshold);
  }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

/** Reshape to [batch, ...shape]. */
export class Unflatten extends Module {
  constructor(readonly shape: number[]) {
    super();
  }
  forward(x: Tensor): Tensor {
    return reshape(x, [x.shape[0], ...this.shape]);
  }
}

export class Flatten extends Module {
  forward(x: Tensor): Tensor {
    return reshape(x, [x.shape[0], -1]);
  }
}
