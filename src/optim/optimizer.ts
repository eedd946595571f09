/**
 * Optimisers as fused kernels (kernels/optimizer.wgsl): one dispatch per parameter updates the parameter
 * and its state together and applies its bounds (PReLU/TPReLU slopes are clamped to [0, 1] after each step,
 * as the paper's code does). State tensors are named so checkpoints can save and restore them exactly.
 */
import src from '../../kernels/optimizer.wgsl';
import type { KernelSource } from '../gpu/kernel.js';
import { grid1d } from '../ops/launch.js';
import { fillInto } from '../ops/elementwise.js';
import { empty, type Tensor } from '../tensor/tensor.js';
import { keep } from '../tensor/scope.js';

export interface Param {
  name: string;
  tensor: Tensor;
  /** clamp the value to [lo, hi] after every step */
  bounds?: [number, number];
}

const WG = 64;
export const OPT_KERNELS = {
  rmsprop: { name: 'optimizer:rmsprop', code: src, entry: 'rmsprop' },
  adam: { name: 'optimizer:adam', code: src, entry: 'adam' },
} satisfies Record<string, KernelSource>;

export abstract class Optimizer {
  /** per-parameter state tensors, by state name (e.g. 'square_avg') */
  protected state = new Map<Param, Record<string, Tensor>>();
  /** number of steps taken */
  step_ = 0;

  constructor(readonly params: Param[], protected readonly stateNames: string[]) {
    const seen = new Set<string>();
    for (const p of params) {
      if (seen.has(p.name)) throw new Error(`optimizer: parameter name '${p.name}' appears twice`);
      seen.add(p.name);
    }
  }

  protected stateOf(p: Param): Record<string, Tensor> {
    let s = this.state.get(p);
    if (!s) {
      s = {};
      for (const n of this.stateNames) s[n] = keep(fillInto(empty(p.tensor.shape, `${p.name}.${n}`, p.tensor.rt), 0));
      this.state.set(p, s);
    }
    return s;
  }

  protected abstract update(p: Param, grad: Tensor, s: Record<string, Tensor>): void;

  /** Apply one update to every parameter that has a gradient. */
  step(): void {
    this.step_++;
    for (const p of this.params) {
      const g = p.tensor.grad;
      if (!g) continue;
      this.update(p, g, this.stateOf(p));
    }
  }

  zeroGrad(): void {
    for (const p of this.params) {
      p.tensor.grad?.dispose();
      p.tensor.grad = null;
    }
  }

  protected clampUniforms(p: Param): { lo: number; hi: number } {
    return { lo: p.bounds?.[0] ?? 0, hi: p.bounds?.[1] ?? 0 };
  }

  protected dispatch(k: KernelSource, p: Param, buffers: GPUBuffer[], uniforms: Record<string, number>): void {
    const rt = p.tensor.rt;
    rt.dispatch(rt.kernel(k, { CLAMP: +!!p.bounds }), buffers, { n: p.tensor.size, ...uniforms, ...this.clampUniforms(p) }, grid1d(p.tensor.size, WG, rt));
  }

  /** Every state tensor by `${param}.${state}`, for checkpoints. */
  namedState(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const p of this.params) {
      const s = this.stateOf(p);
      for (const n of this.stateNames) out.set(`${p.name}.${n}`, s[n]);
    }
    return out;
  }

  dispose(): void {
    for (const s of this.state.values()) for (const t of Object.values(s)) t.dispose();
    this.state.clear();
  }
}

export interface RmspropOptions {
  lr: number;
  /** smoothing constant (Torch/PyTorch call it alpha; the paper uses 0.9) */
  alpha?: number;
  /** added outside the square root */
  eps?: number;
}

/** RMSprop as Torch and PyTorch define it (the paper's optimiser): s ← α·s + (1−α)·g², p ← p − lr·g/(√s + eps). */
export class RMSprop extends Optimizer {
  constructor(params: Param[], public opts: RmspropOptions) {
    super(params, ['square_avg']);
  }
  protected update(p: Param, g: Tensor, s: Record<string, Tensor>): void {
    this.dispatch(OPT_KERNELS.rmsprop, p, [p.tensor.buffer, g.buffer, s.square_avg.buffer], {
      lr: this.opts.lr, alpha: this.opts.alpha ?? 0.9, eps: this.opts.eps ?? 1e-6,
    });
  }
}

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

/** Adam (PyTorch's, bias-corrected). */
export class Adam extends Optimizer {
  constructor(params: Param[], public opts: AdamOptions) {
    super(params, ['exp_avg', 'exp_avg_sq']);
  }
  protected update(p: Param, g: Tensor, s: Record<string, Tensor>): void {
    const b1 = this.opts.beta1 ?? 0.9;
    const b2 = this.opts.beta2 ?? 0.999;
    this.dispatch(OPT_KERNELS.adam, p, [p.tensor.buffer, g.buffer, s.exp_avg.buffer, s.exp_avg_sq.buffer], {
      lr: this.opts.lr, beta1: b1, beta2: b2, eps: this.opts.eps ?? 1e-8,
      bc1: 1 - b1 ** this.step_, bc2: 1 - b2 ** this.step_,
    });
  }
}
