import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.js';
import { assertClose, checkOp, makeRng, size } from '../helpers/check.js';
import { batchNorm } from '../../src/ops/batchnorm.js';
import { prelu, tprelu } from '../../src/ops/prelu.js';
import { tensor } from '../../src/tensor/tensor.js';
import { tidy } from '../../src/tensor/scope.js';
import { backward } from '../../src/autograd/backward.js';
import { BatchNorm, PReLU, TPReLU } from '../../src/nn/layers.js';
import { Sequential } from '../../src/nn/module.js';
import * as R from '../reference/ops.js';

// BN followed by PReLU/TPReLU as one op (ops/batchnorm.ts with `act`), against float64 references of the two
// ops composed and finite differences; the quad-grid and walk kernels take S % 4 == 0 (runs of 4) and other S.
describe('batch norm fused with PReLU/TPReLU: forward vs float64, backward vs finite differences', () => {
  useGpu();
  const shapes = [[4, 5, 3, 3], [2, 3, 4, 4], [6, 7], [3, 2, 2, 6]];
  for (const shape of shapes)
    for (const training of [true, false])
      for (const withB of [false, true]) {
        const [N, C] = shape;
        const S = size(shape) / (N * C);
        it(`${withB ? 'tprelu' : 'prelu'}(bn(x)), ${training ? 'training' : 'eval'}, ${JSON.stringify(shape)}`, () => {
          const rng = makeRng(5);
          const rm = rng.array(C, -0.5, 0.5);
          const rv = rng.array(C, 0.5, 2);
          const inputs = [
            { name: 'x', shape, lo: -2, hi: 3 },
            { name: 'gamma', shape: [C], lo: 0.5, hi: 1.5 },
            { name: 'beta', shape: [C], lo: -0.5, hi: 0.5 },
            { name: 'a', shape: [C], lo: 0.05, hi: 0.95 },
            ...(withB ? [{ name: 'b', shape: [C], lo: -0.3, hi: 0.3 }] : []),
          ];
          return checkOp({
            name: 'bn-act',
            inputs,
            gpu: ([x, g, be, a, b]) =>
              batchNorm(x, g, be, tensor(Float32Array.from(rm), [C]), tensor(Float32Array.from(rv), [C]), { training }, { slope: a, threshold: b ?? null }),
            ref: ([x, g, be, a, b]) => {
              const z = training ? R.batchNormTrain(x, g, be, N, C, S) : R.batchNormEval(x, g, be, rm, rv, C, S);
              return R.tprelu(z, a, b ?? null, C, S);
            },
            // as the unfused batch-norm test: the batch-statistics gradient cancels three terms in f32
            gradRtol: training ? 3e-4 : undefined,
          });
        });
      }

  it('prelu and tprelu alone on planes of a multiple of 4 (runs of 4 per channel)', async () => {
    const shape = [2, 3, 4, 4];
    const b = makeRng(9).array(3, -0.3, 0.3);
    await checkOp({
      name: 'tprelu-q4',
      inputs: [{ name: 'x', shape, lo: -2, hi: 2, avoid: [...b], gap: 2e-3 }, { name: 'a', shape: [3], lo: 0, hi: 1 }, { name: 'b', shape: [3], data: b }],
      gpu: ([x, a, bb]) => tprelu(x, a, bb),
      ref: ([x, a, bb]) => R.tprelu(x, a, bb, 3, 16),
      fdStep: 1e-7,
    });
    await checkOp({
      name: 'prelu-q4',
      inputs: [{ name: 'x', shape, lo: -2, hi: 2, avoid: [0], gap: 2e-3 }, { name: 'a', shape: [3], lo: 0, hi: 1 }],
      gpu: ([x, a]) => prelu(x, a),
      ref: ([x, a]) => R.tprelu(x, a, null, 3, 16),
    });
  });

  // Sequential runs BN + activation through the fused op: same values, gradients, running stats and counter
  // as the two ops called one after the other
  for (const Act of [PReLU, TPReLU])
    it(`Sequential [BatchNorm, ${Act.name}] fuses and matches the separate ops`, async () => {
      const shape = [4, 6, 4, 4];
      const rng = makeRng(21);
      const xs = rng.array(size(shape), -2, 2);
      const dys = rng.array(size(shape), -1, 1);
      const run = async (fused: boolean) => {
        const bn = new BatchNorm(6);
        const act = new Act(6);
        const seq = new Sequential([bn, act]);
        const x = tensor(Float32Array.from(xs), shape);
        x.requiresGrad = true;
        tidy(() => {
          const y = fused ? seq.forward(x) : act.forward(bn.forward(x));
          backward(y, tensor(Float32Array.from(dys), shape));
          return y;
        }).dispose();
        const out = {
          dx: await x.grad!.read(),
          params: await Promise.all(seq.parameters().map((p) => p.tensor.grad!.read())),
          running: await Promise.all(seq.namedBuffers().map(([, t]) => t.read())),
          count: bn.counters.get('num_batches_tracked'),
        };
        seq.dispose();
        x.dispose();
        return out;
      };
      const a = await run(true);
      const b = await run(false);
      assertClose(a.dx, b.dx, 'dx', 1e-5);
      a.params.forEach((g, i) => assertClose(g, b.params[i], `param grad ${i}`, 1e-5));
      a.running.forEach((r, i) => assertClose(r, b.running[i], `running ${i}`, 1e-6));
      expect(a.count).toBe(1);
      expect(b.count).toBe(1);
    });
});

