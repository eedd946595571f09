/**
 * Elementwise ops (kernels/elementwise.wgsl): activations and affine maps (unary), arithmetic with
 * broadcasting (binary), and constant fills. Each op's gradient rule sits next to its forward.
 */
import src from '../../kernels/elementwise.wgsl';
import type { KernelSource } from '../gpu/kernel.js';
import { currentRuntime } from '../tensor/engine.js';
import { empty, reshapeView, type Shape, sizeOf, type Tensor } from '../tensor/tensor.js';
import { record } from '../autograd/tape.js';
import { grid1d } from './launch.js';
import { sumToShape } from './reduce.js';
import { BinaryOp, binaryRaw } from './binary.js';

const WG = 64;
const K = {
  unary: { name: 'elementwise:unary', code: src, entry: 'unary' },
  unaryBackward: { name: 'elementwise:unary_backward', code: src, entry: 'unary_backward' },
  fill: { name: 'elementwise:fill', code: src, entry: 'fill' },
} satisfies Record<string, KernelSource>;

export enum UnaryOp {
  Relu = 0,
  LeakyRelu = 1,
  Sigmoid = 2,
  Tanh = 3,
  Affine = 4,
  Clamp = 5,
  Square = 6,
}

function unaryRaw(x: Tensor, op: UnaryOp, alpha: number, beta: number): Tensor {
  const rt = x.rt;
  const y = empty(x.shape, '', rt);
  rt.dispatch(rt.kernel(K.unary, { OP: op }), [x.buffer, y.buffer], { n: x.size, alpha, beta }, grid1d(x.size, WG, rt));
  return y;
}

function unary(name: string, x: Tensor, op: UnaryOp, alpha = 0, beta = 0): Tensor {
  const y = unaryRaw(x, op, alpha, beta);
  return record(name, [x], y, (dy) => {
    const rt = x.rt;
    const dx = empty(x.shape, '', rt);
    rt.dispatch(
      rt.kernel(K.unaryBackward, { OP: op }),
      [x.buffer, y.buffer, dy.buffer, dx.buffer],
      { n: x.size, alpha, beta },
      grid1d(x.size, WG, rt),
    );
    return [dx];
  });
}

export const relu = (x: Tensor) => unary('relu', x, UnaryOp.Relu);
export const leakyRelu = (x: Tensor, slope = 0.2) => unary('leaky_relu', x, UnaryOp.LeakyRelu, slope);
export const sigmoid = (x: Tensor) => unary('sigmoid', x, UnaryOp.Sigmoid);
export const tanh = (x: Tensor) => unary('tanh', x, UnaryOp.Tanh);
/** scale·x + shift */
export const affine = (x: Tensor, scale: number, shift = 0) => unary('affine', x, UnaryOp.Affine, scale, shift);
export const scale = (x: Tensor, s: number) => affine(x, s, 0);
export const clamp = (x: Tensor, lo: number, hi: number) => unary('clamp', x, UnaryOp.Clamp, lo, hi);
export const square = (x: Tensor) => unary('square', x, UnaryOp.Square);

// ---- binary with broadcasting (kernel launch in binary.ts) ----

export function add(a: Tensor, b: Tensor): Tensor {
  const out = binaryRaw(a, b, BinaryOp.Add);
  return record('add', [a, b], out, (dy) => [sumToShape(dy, a.shape), sumToShape(dy, b.shape)]);
}

export function sub(a: Tensor, b: Tensor): Tensor {
  const out = binaryRaw(a, b, BinaryOp.Sub);
  return record('sub', [a, b], out, (dy) => [sumToShape(dy, a.shape), sumToShape(scaleRaw(dy, -1), b.shape)]);
}


export function mul(a: Tensor, b: Tensor): Tensor {
  const out = binaryRaw(a, b, BinaryOp.Mul);
  return record('mul', [a, b], out, (dy) => [
    a.requiresGrad ? sumToShape(binaryRaw(dy, b, BinaryOp.Mul), a.shape) : null,
    b.requiresGrad ? sumToShape(binaryRaw(dy, a, BinaryOp.Mul), b.shape) : null,
  ]);
}

export function div(a: Tensor, b: Tensor): Tensor {
  const out = binaryRaw(a, b, BinaryOp.Div);
  return record('div', [a, b], out, (dy) => [
    a.requiresGrad ? sumToShape(binaryRaw(dy, b, BinaryOp.Div), a.shape) : null,
    // d(a/b)/db = -out/b
    b.requiresGrad ? sumToShape(binaryRaw(binaryRaw(dy, out, BinaryOp.Mul), b, BinaryOp.Div, -1), b.shape) : null,
  ]);
}

/** Non-recording helpers for use inside gradient rules. */
export function scaleRaw(x: Tensor, s: number): Tensor {
  return unaryRaw(x, UnaryOp.Affine, s, 0);
}
export const addRaw = (a: Tensor, b: Tensor) => binaryRaw(a, b, BinaryOp.Add);
export const mulRaw = (a: Tensor, b: Tensor) => binaryRaw(a, b, BinaryOp.Mul);

// ---- constants ----

export function fillInto(t: Tensor, value: number): Tensor {
  const rt = t.rt;
  rt.dispatch(rt.kernel(K.fill), [t.buffer], { n: t.size, value }, grid1d(t.size, WG, rt));
  return t;
}

export function full(shape: Shape, value: number, name = ''): Tensor {
  return fillInto(empty(shape, name, currentRuntime()), value);
}
export const zeros = (shape: Shape, name = '') => full(shape, 0, name);
export const ones = (shape: Shape, name = '') => full(shape, 1, name);

/** The same values with no gradient history (a view: no copy); gradients stop here. */
export function detach(x: Tensor): Tensor {
  return reshapeView(x, x.shape);
}

/** A differentiable reshape (a view: no copy). */
export function reshape(x: Tensor, shape: Shape): Tensor {
  let s = [...shape];
  const infer = s.indexOf(-1);
  if (infer >= 0) s[infer] = x.size / sizeOf(s.filter((d) => d !== -1));
  const y = reshapeView(x, s);
  return record('reshape', [x], y, (dy) => [reshapeView(dy, x.shape)]);
}
