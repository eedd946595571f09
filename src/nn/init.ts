/** Parameter initialisation from a seeded generator (so a seed fixes the whole model). */
import type { Rng } from '../util/rng.js';
import { tensor, type Tensor } from '../tensor/tensor.js';

/** Uniform(−bound, bound): PyTorch's default for conv/linear weights and biases is bound = 1/sqrt(fan_in). */
export function uniform(rng: Rng, shape: number[], bound: number): Tensor {
  const a = new Float32Array(shape.reduce((x, y) => x * y, 1));
  rng.fillUniform(a, -bound, bound);
  return tensor(a, shape);
}

export function constant(shape: number[], value: number): Tensor {
  return tensor(new Float32Array(shape.reduce((x, y) => x * y, 1)).fill(value), shape);
}
