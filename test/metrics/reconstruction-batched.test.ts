/**
 * The batched reconstruction metric (several 32-image problems per dispatch sequence) against the plain
 * batch-by-batch loop it replaces: the per-image errors and reconstructions must be bitwise identical.
 * Every image goes through G independently in eval mode (BN uses running statistics), the kernels reduce
 * over each image's own values in an order that does not depend on the batch size, RMSprop is per
 * element, and rowWeightedMse rounds each group's gradient exactly as mean MSE does.
 */
import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.js';
import { makeRng } from '../helpers/check.js';
import { reconstructionError, type ReconOptions } from '../../src/metrics/reconstruction.js';
import { reconstructionLoopPerBatch } from '../reference/reconstruction-loop.js';
import { DcganGenerator, type Norm } from '../../src/models/dcgan.js';
import { BatchNorm } from '../../src/nn/layers.js';
import { Rng } from '../../src/util/rng.js';

const S = 16;
const PER = 3 * S * S;
const COUNT = 70; // 2 full groups of 32 and a partial one of 6
const STEPS = 8;
const CODE = 16;

function makeG(norm: Norm): DcganGenerator {
  const G = new DcganGenerator(new Rng(11), { imageSize: S, norm, codeSize: CODE, baseWidth: 8 });
  // non-trivial running statistics, so eval-mode batch norm is really exercised
  const rng = makeRng(5);
  for (const l of G.main.layers) {
    if (l instanceof BatchNorm) {
      l.runningMean.write(Float32Array.from(rng.array(l.channels, -0.3, 0.3)));
      l.runningVar.write(Float32Array.from(rng.array(l.channels, 0.5, 2)));
    }
  }
  return G;
}

const images = Float32Array.from(makeRng(3).array(COUNT * PER, 0, 1));
const load = async (start: number, n: number) => images.slice(start * PER, (start + n) * PER);

function bitsEqual(a: Float32Array, b: Float32Array, what: string): void {
  expect(a.length, what).toBe(b.length);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let diff = 0;
  let first = -1;
  for (let i = 0; i < ua.length; i++) {
    if (ua[i] !== ub[i]) {
      diff++;
      if (first < 0) first = i;
    }
  }
  expect(diff, `${what}: ${diff} of ${a.length} values differ (first at ${first}: ${a[first]} vs ${b[first]})`).toBe(0);
}

describe('reconstruction metric: batched super-batches are bitwise identical to the 32-image loop', () => {
  useGpu();
  for (const norm of ['batch', 'weight'] as Norm[]) {
    it(`${norm} norm, ${COUNT} images (last group partial), ${STEPS} steps`, async () => {
      const G = makeG(norm);
      G.train(true);
      const ref = await reconstructionLoopPerBatch(G, COUNT, load, [3, S, S], { codeSize: CODE, steps: STEPS, keepImages: true });
      const total = ref.perImage.reduce((s, v) => s + v, 0);
      expect(Number.isFinite(total) && total > 0).toBe(true);
      // 1: the plain loop through the new code; 2: 64 + 6 images (a partial group alone in the last
      // super-batch); 3: all 70 in one; undefined: the automatic choice
      for (const k of [1, 2, 3, undefined]) {
        const done: number[] = [];
        const r = await reconstructionError(G, COUNT, load, [3, S, S], {
          codeSize: CODE, steps: STEPS, keepImages: true, groupsPerDispatch: k, onBatch: (d) => done.push(d),
        });
        const label = `${norm}, groupsPerDispatch ${k ?? `auto (${r.groupsPerDispatch})`}`;
        bitsEqual(r.perImage, ref.perImage, `${label}: per-image errors`);
        bitsEqual(r.reconstructions!, ref.recon!, `${label}: reconstructions`);
        expect(r.mse).toBe(total / COUNT);
        const span = 32 * r.groupsPerDispatch;
        expect(done).toEqual(Array.from({ length: Math.ceil(COUNT / span) }, (_, i) => Math.min(COUNT, (i + 1) * span)));
        if (k === undefined) expect(r.groupsPerDispatch).toBe(3);
      }
      // G is handed back as it was: training mode, parameters still trainable
      expect(G.training).toBe(true);
      expect(G.parameters().every((p) => p.tensor.requiresGrad)).toBe(true);
      G.dispose();
    });
  }

  it('the automatic group count follows the memory budget and the cap', async () => {
    const G = makeG('weight');
    const run = (o: Partial<ReconOptions>) => reconstructionError(G, COUNT, load, [3, S, S], { codeSize: CODE, steps: 1, ...o });
    expect((await run({ memoryBudgetBytes: 1 })).groupsPerDispatch).toBe(1);
    // 3 groups, at most 2 per super-batch: 2 super-batches of 2 and 1 groups
    expect((await run({ maxGroupsPerDispatch: 2 })).groupsPerDispatch).toBe(2);
    expect((await run({})).groupsPerDispatch).toBe(3);
    await expect(run({ groupsPerDispatch: 0 })).rejects.toThrow(/groupsPerDispatch/);
    G.dispose();
  });
});
