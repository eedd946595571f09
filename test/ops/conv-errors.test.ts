// Bad convolution arguments are refused before any kernel runs, with a message that names the op and shapes.
import { describe, expect, it } from 'vitest';
import { tensor } from '../../src/tensor/tensor.js';
import { tidy } from '../../src/tensor/scope.js';
import { conv2d, convTranspose2d } from '../../src/ops/conv.js';
import { wnConv2d, wnConvTranspose2d } from '../../src/ops/weight-norm.js';
import { useGpu } from '../helpers/gpu.js';

const zeros = (shape: number[]) => tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);

describe('convolution argument errors', () => {
  useGpu();
  it('names a channel mismatch with the weight layout of each kind', () => tidy(() => {
    expect(() => conv2d(zeros([1, 3, 8, 8]), zeros([4, 5, 3, 3]))).toThrow(/^conv2d: input .*\[1,3,8,8\] has 3 channels, weight .*\[4,5,3,3\] \(\[out,in,kh,kw\]\) expects 5$/);
    expect(() => convTranspose2d(zeros([1, 3, 8, 8]), zeros([4, 3, 3, 3]))).toThrow(/conv_transpose2d: .*\(\[in,out,kh,kw\]\) expects 4/);
    expect(() => wnConvTranspose2d(zeros([1, 3, 8, 8]), zeros([4, 3, 3, 3]), null, null)).toThrow(/wn_conv_transpose2d: .* expects 4/);
  }));
  it('names a kernel that does not fit, a wrong rank and a wrong bias size', () => tidy(() => {
    expect(() => conv2d(zeros([1, 3, 2, 2]), zeros([4, 3, 4, 4]))).toThrow(/conv2d: kernel 4×4 with stride 1 and padding 0 gives an empty output for .*\[1,3,2,2\]/);
    expect(() => wnConv2d(zeros([3, 8, 8]), zeros([4, 3, 3, 3]), null, null)).toThrow(/wn_conv2d input must be 4-D, got .*\[3,8,8\]/);
    expect(() => conv2d(zeros([1, 3, 8, 8]), zeros([4, 3, 3, 3]), zeros([5]))).toThrow(/conv2d: bias .*\[5\] should have 4 values/);
  }));
});
