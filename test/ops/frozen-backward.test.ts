/**
 * With frozen parameters (the reconstruction metric: G in eval mode, requiresGrad off), eval-mode batch norm
 * (alone or fused with PReLU/TPReLU) and PReLU/TPReLU take an elementwise dx-only kernel instead of the
 * per-channel backward that also reduces parameter gradients. Checked against float64 and finite
 * differences, bitwise against the full backward's dx (same arithmetic), and by which kernel runs.
 */
import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.js';
import { checkOp, makeRng, size } from '../helpers/check.js';
import { dispatches } from '../helpers/dispatches.js';
import { batchNorm, type FusedActivation } from '../../src/ops/batchnorm.js';
import { prelu, tprelu } from '../../src/ops/prelu.js';
import { tensor, type Tensor } from '../../src/tensor/tensor.js';
import { tidy } from '../../src/tensor/scope.js';
import { backward } from '../../src/autograd/backward.js';
import * as R from '../reference/ops.js';

type Act = 'none' | 'prelu' | 'tprelu';
const ACTS: Act[] = ['none', 'prelu', 'tprelu'];
// S % 4 == 0 (runs of 4 per channel), other S, and 2-D
const SHAPES = [[2, 3, 4, 4], [4, 5, 3, 3], [6, 7]];

describe('backward with frozen parameters: dx alone, elementwise', () => {
  const gpu = useGpu();

  for (const shape of SHAPES)
    for (const act of ACTS) {
      const [N, C] = shape;
      const S = size(shape) / (N * C);
      it(`eval batch norm${act === 'none' ? '' : ` + ${act}`}, frozen, ${JSON.stringify(shape)}: vs float64 and finite differences`, () => {
        const rng = makeRng(11);
        const rm = rng.array(C, -0.5, 0.5);
        const rv = rng.array(C, 0.5, 2);
        const frozen = { grad: false as const };
        return checkOp({
          name: 'bn-eval-frozen',
          inputs: [
            { name: 'x', shape, lo: -2, hi: 3 },
            { name: 'gamma', shape: [C], lo: 0.5, hi: 1.5, ...frozen },
            { name: 'beta', shape: [C], lo: -0.5, hi: 0.5, ...frozen },
            { name: 'a', shape: [C], lo: 0.05, hi: 0.95, ...frozen },
            { name: 'b', shape: [C], lo: -0.3, hi: 0.3, ...frozen },
          ],
          gpu: ([x, g, be, a, b]) => {
            const fused: FusedActivation | null = act === 'none' ? null : { slope: a, threshold: act === 'tprelu' ? b : null };
            return batchNorm(x, g, be, tensor(Float32Array.from(rm), [C]), tensor(Float32Array.from(rv), [C]), { training: false }, fused);
          },
          ref: ([x, g, be, a, b]) => {
            const z = R.batchNormEval(x, g, be, rm, rv, C, S);
            return act === 'none' ? z : R.tprelu(z, a, act === 'tprelu' ? b : null, C, S);
          },
        });
      });
    }

  for (const shape of SHAPES) {
    const [N, C] = shape;
    const S = size(shape) / (N * C);
    it(`prelu and tprelu, frozen, ${JSON.stringify(shape)}: vs float64 and finite differences`, async () => {
      const b = makeRng(4).array(C, -0.3, 0.3);
      await checkOp({
        name: 'tprelu-frozen',
        inputs: [
          { name: 'x', shape, lo: -2, hi: 2, avoid: [...b], gap: 2e-3 },
          { name: 'a', shape: [C], lo: 0, hi: 1, grad: false },
          { name: 'b', shape: [C], data: b, grad: false },
        ],
        gpu: ([x, a, bb]) => tprelu(x, a, bb),
        ref: ([x, a, bb]) => R.tprelu(x, a, bb, C, S),
        fdStep: 1e-7,
      });
      await checkOp({
        name: 'prelu-frozen',
        inputs: [{ name: 'x', shape, lo: -2, hi: 2, avoid: [0], gap: 2e-3 }, { name: 'a', shape: [C], lo: 0, hi: 1, grad: false }],
        gpu: ([x, a]) => prelu(x, a),
        ref: ([x, a]) => R.tprelu(x, a, null, C, S),
      });
    });
  }

  /** dx of `f` and the kernels its backward dispatched, with the parameters trainable or frozen. */
  async function dxAndKernels(shape: number[], paramsTrainable: boolean, f: (x: Tensor, params: Tensor[]) => Tensor, nParams: number) {
    const rng = makeRng(17);
    const [, C] = shape;
    const x = tensor(rng.array(size(shape), -2, 2), shape);
    x.requiresGrad = true;
    const params = Array.from({ length: nParams }, () => {
      const p = tensor(rng.array(C, 0.1, 0.9), [C]);
      p.requiresGrad = paramsTrainable;
      return p;
    });
    const dy = tensor(rng.array(size(shape), -1, 1), shape);
    let kernels: string[] = [];
    tidy(() => {
      const y = f(x, params);
      kernels = dispatches(gpu.rt(), () => backward(y, dy)).map((d) => d.key.split('|')[0]);
    });
    const dx = await x.grad!.read();
    for (const t of [x, dy, ...params]) t.dispose();
    return { dx, kernels };
  }

  const cases: { name: string; nParams: number; f: (x: Tensor, p: Tensor[]) => Tensor; full: string; dxOnly: string }[] = [
    {
      name: 'eval batch norm + tprelu',
      nParams: 4,
      f: (x, [g, b, a, t]) => batchNorm(x, g, b, tensor(new Float32Array(x.shape[1]).fill(0.1), [x.shape[1]]), tensor(new Float32Array(x.shape[1]).fill(1.5), [x.shape[1]]), { training: false }, { slope: a, threshold: t }),
      full: 'batchnorm:backward',
      dxOnly: 'batchnorm:backward_dx',
    },
    { name: 'tprelu', nParams: 2, f: (x, [a, t]) => tprelu(x, a, t), full: 'prelu:backward', dxOnly: 'prelu:backward_dx' },
  ];
  for (const c of cases)
    for (const shape of [[3, 4, 8, 8], [3, 4, 5, 5]])
      it(`${c.name} ${JSON.stringify(shape)}: frozen parameters run ${c.dxOnly}, and its dx equals the full backward's bit for bit`, async () => {
        const full = await dxAndKernels(shape, true, c.f, c.nParams);
        const frozen = await dxAndKernels(shape, false, c.f, c.nParams);
        expect(full.kernels).toContain(c.full);
        expect(full.kernels).not.toContain(c.dxOnly);
        expect(frozen.kernels).toContain(c.dxOnly);
        expect(frozen.kernels).not.toContain(c.full);
        expect(Array.from(frozen.dx)).toEqual(Array.from(full.dx));
      });

  it('training-mode batch norm with frozen parameters still reduces (dx needs the batch sums)', async () => {
    const f = (x: Tensor, [g, b]: Tensor[]) => batchNorm(x, g, b, tensor(new Float32Array(4), [4]), tensor(new Float32Array(4).fill(1), [4]), { training: true });
    const { kernels } = await dxAndKernels([3, 4, 4, 4], false, f, 2);
    expect(kernels).toContain('batchnorm:backward');
    expect(kernels).not.toContain('batchnorm:backward_dx');
  });
});
