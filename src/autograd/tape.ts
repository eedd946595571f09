/**
 * The autograd tape, micrograd-style: every differentiable op that runs while recording and has an input
 * that requires a gradient appends one node: its inputs, its output and its local derivative (a closure
 * mapping the output's gradient to the inputs' gradients). backward.ts walks the nodes in reverse.
 */
import type { Tensor } from '../tensor/tensor.js';

export type GradFn = (dy: Tensor) => ReadonlyArray<Tensor | null>;

export interface TapeNode {
  op: string;
  inputs: readonly Tensor[];
  output: Tensor;
  backward: GradFn;
  /** intermediates kept only for backward (e.g. batch statistics); disposed once the node is used or dropped */
  saved: readonly Tensor[];
}

const tape: TapeNode[] = [];
let noGradDepth = 0;

export function isRecording(): boolean {
  return noGradDepth === 0;
}

export function needsGrad(inputs: readonly (Tensor | null | undefined)[]): boolean {
  return noGradDepth === 0 && inputs.some((t) => t?.requiresGrad);
}

/**
 * Record `output = op(inputs)` if any input requires a gradient. `backward` returns one gradient per input
 * (null where the input needs none). `saved` are intermediates that only backward needs: the tape owns them
 * (they are disposed right away when nothing is recorded). Returns `output` for chaining.
 */
export function record(op: string, inputs: readonly (Tensor | null)[], output: Tensor, backward: GradFn, saved: readonly Tensor[] = []): Tensor {
  const ins = inputs.filter((t): t is Tensor => t !== null);
  if (!needsGrad(ins)) {
    for (const t of saved) t.dispose();
    return output;
  }
  if (ins.length !== inputs.length) {
    // keep positions aligned with what backward returns
    throw new Error(`record(${op}): pass only tensors as inputs`);
  }
  output.requiresGrad = true;
  tape.push({ op, inputs: ins, output, backward, saved });
  if (tape.length % 4096 === 0) prune();
  return output;
}

/** Drop nodes whose output is gone (forward passes that were never differentiated). */
function prune(): void {
  let w = 0;
  for (const n of tape) {
    if (!n.output.isDisposed) tape[w++] = n;
    else for (const t of n.saved) t.dispose();
  }
  tape.length = w;
}

/** Run `fn` without recording: for evaluation, optimiser updates and metric bookkeeping. */
export function noGrad<T>(fn: () => T): T {
  noGradDepth++;
  try {
    return fn();
  } finally {
    noGradDepth--;
  }
}

/** Take every recorded node (the tape is left empty). */
export function takeTape(): TapeNode[] {
  return tape.splice(0);
}

export function tapeLength(): number {
  return tape.length;
}

export function clearTape(): void {
  for (const n of tape.splice(0)) for (const t of n.saved) t.dispose();
}
