/**
 * Reverse-mode differentiation over the tape: seed d(root)=1 (or a given gradient), walk the nodes in
 * reverse creation order (a topological order), and hand each node the gradient of its output. Leaf tensors
 * that require gradients (parameters, or inputs such as the latent z of the reconstruction metric) get the
 * sum of their gradients accumulated into `.grad`. The tape is consumed.
 */
import { takeTape } from './tape.js';
import { beginScope, endScope } from '../tensor/engine.js';
import { reshapeView, type Tensor } from '../tensor/tensor.js';
import { addRaw, full } from '../ops/elementwise.js';
import { keep } from '../tensor/scope.js';

export function backward(root: Tensor, seed?: Tensor): void {
  if (seed && (seed.size !== root.size)) throw new RangeError(`backward: seed ${seed.describe()} does not match ${root.describe()}`);
  if (!seed && root.size !== 1) throw new Error(`backward: ${root.describe()} is not a scalar; pass a seed gradient`);
  const nodes = takeTape();
  const producedBy = new Set(nodes.map((n) => n.output));
  const grads = new Map<Tensor, Tensor>();
  grads.set(root, seed ? reshapeView(seed, root.shape) : full(root.shape, 1));

  const accumulate = (t: Tensor, g: Tensor) => {
    if (!t.requiresGrad) {
      g.dispose();
      return;
    }
    if (!producedBy.has(t)) {
      // a leaf: accumulate into .grad, which outlives any tidy() scope
      if (t.grad) {
        const sum = addRaw(t.grad, g);
        t.grad.dispose();
        g.dispose();
        t.grad = keep(sum);
      } else {
        t.grad = keep(g);
      }
      return;
    }
    const prev = grads.get(t);
    if (prev) {
      grads.set(t, addRaw(prev, g));
      prev.dispose();
      g.dispose();
    } else grads.set(t, g);
  };

  if (!producedBy.has(root)) {
    // differentiating a leaf w.r.t. itself
    const g = grads.get(root)!;
    grads.delete(root);
    accumulate(root, g);
    return;
  }

  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    const dy = grads.get(node.output);
    if (!dy) {
      for (const t of node.saved) t.dispose();
      continue;
    }
    grads.delete(node.output);
    if (node.inputs.some((t) => t.isDisposed)) {
      throw new Error(`backward: an input of '${node.op}' was disposed before backward(); keep the forward pass and backward() in one tidy()`);
    }
    // temporaries made by the rule are freed right away; only the returned gradients survive
    beginScope();
    let ins: ReadonlyArray<Tensor | null>;
    try {
      ins = node.backward(dy);
    } catch (e) {
      endScope();
      throw e;
    }
    // each gradient must be its own tensor object so that disposing one never frees another
    const seen = new Set<Tensor>([dy]);
    const owned = ins.map((g) => {
      if (!g) return null;
      if (seen.has(g)) return reshapeView(g, g.shape);
      seen.add(g);
      return g;
    });
    endScope(owned.filter((g): g is Tensor => g !== null));
    if (owned.length !== node.inputs.length) {
      throw new Error(`backward of '${node.op}' returned ${owned.length} gradients for ${node.inputs.length} inputs`);
    }
    node.inputs.forEach((t, k) => {
      const g = owned[k];
      if (!g) return;
      if (g.size !== t.size) throw new Error(`backward of '${node.op}': gradient ${g.describe()} for input ${t.describe()}`);
      if (g.shape.every((d, j) => d === t.shape[j]) && g.rank === t.rank) accumulate(t, g);
      else {
        accumulate(t, reshapeView(g, t.shape));
        g.dispose();
      }
    });
    dy.dispose();
    for (const t of node.saved) t.dispose();
  }
  for (const g of grads.values()) g.dispose();
}

/** Forget accumulated gradients. */
export function zeroGrad(params: Iterable<Tensor>): void {
  for (const p of params) {
    p.grad?.dispose();
    p.grad = null;
  }
}
