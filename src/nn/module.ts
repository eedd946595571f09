/**
 * Modules: a tree of named parameters, buffers and child modules, PyTorch-style, so that the flat names of
 * `stateDict()` ("main.0.weight", "main.1.running_mean", ...) match a PyTorch model of the same
 * architecture and weights can move both ways through safetensors.
 */
import type { Tensor } from '../tensor/tensor.js';
import type { Param } from '../optim/optimizer.js';
import { keep } from '../tensor/scope.js';

export abstract class Module {
  training = true;
  private readonly params_ = new Map<string, { tensor: Tensor; bounds?: [number, number] }>();
  private readonly buffers_ = new Map<string, Tensor>();
  private readonly children_ = new Map<string, Module>();
  /** host-side counters stored as int64 in checkpoints (BatchNorm's num_batches_tracked) */
  readonly counters = new Map<string, number>();

  abstract forward(x: Tensor): Tensor;

  /**
   * A fused forward for this module followed by `next` (the same math in fewer passes), or null. Sequential
   * asks each child about its successor; BatchNorm fuses the PReLU/TPReLU after it.
   */
  fuseWith(_next: Module | undefined): ((x: Tensor) => Tensor) | null {
    return null;
  }

  protected param(name: string, t: Tensor, bounds?: [number, number]): Tensor {
    keep(t);
    t.requiresGrad = true;
    t.name = name;
    this.params_.set(name, { tensor: t, bounds });
    return t;
  }

  protected buffer(name: string, t: Tensor): Tensor {
    keep(t);
    t.name = name;
    this.buffers_.set(name, t);
    return t;
  }

  protected child<M extends Module>(name: string, m: M): M {
    this.children_.set(name, m);
    return m;
  }

  /** Parameters with their full dotted names, in registration order (for optimisers). */
  parameters(prefix = ''): Param[] {
    const out: Param[] = [];
    for (const [n, p] of this.params_) out.push({ name: prefix + n, tensor: p.tensor, bounds: p.bounds });
    for (const [n, c] of this.children_) out.push(...c.parameters(`${prefix}${n}.`));
    return out;
  }

  namedBuffers(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [...this.buffers_].map(([n, t]) => [prefix + n, t]);
    for (const [n, c] of this.children_) out.push(...c.namedBuffers(`${prefix}${n}.`));
    return out;
  }

  namedCounters(prefix = ''): [string, Module, string][] {
    const out: [string, Module, string][] = [...this.counters.keys()].map((k) => [prefix + k, this, k]);
    for (const [n, c] of this.children_) out.push(...c.namedCounters(`${prefix}${n}.`));
    return out;
  }

  /** Parameters and buffers by PyTorch state_dict name. */
  stateDict(): Map<string, Tensor> {
    const m = new Map<string, Tensor>();
    for (const p of this.parameters()) m.set(p.name, p.tensor);
    for (const [n, t] of this.namedBuffers()) m.set(n, t);
    return m;
  }

  train(mode = true): this {
    this.training = mode;
    for (const c of this.children_.values()) c.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Turn gradient tracking of every parameter on or off (e.g. freeze D while G steps). */
  requiresGrad(on: boolean): this {
    for (const p of this.parameters()) p.tensor.requiresGrad = on;
    return this;
  }

  dispose(): void {
    for (const p of this.params_.values()) p.tensor.dispose();
    for (const b of this.buffers_.values()) b.dispose();
    for (const c of this.children_.values()) c.dispose();
  }
}

/** Children applied in order, named "0", "1", ... like torch.nn.Sequential. */
export class Sequential extends Module {
  readonly layers: Module[];
  constructor(layers: Module[]) {
    super();
    this.layers = layers.map((l, i) => this.child(String(i), l));
  }
  forward(x: Tensor): Tensor {
    for (let i = 0; i < this.layers.length; i++) {
      const fused = this.layers[i].fuseWith(this.layers[i + 1]);
      if (fused) {
        x = fused(x);
        i++; // the successor ran inside the fused forward
      } else x = this.layers[i].forward(x);
    }
    return x;
  }
}
