import { describe, expect, it } from 'vitest';
import { splitIndices } from '../../src/data/split.js';
import { EpochSampler } from '../../src/data/sampler.js';
import { Rng } from '../../src/util/rng.js';

describe('splitIndices (paper R1)', () => {
  it('makes a 2000 final test set, its first 200 as running test, the rest training; disjoint and complete', () => {
    const n = 60_000;
    const s = splitIndices(n, 1);
    expect(s.finalTest.length).toBe(2000);
    expect(s.runningTest.length).toBe(200);
    expect(s.train.length).toBe(58_000);
    expect(Array.from(s.runningTest)).toEqual(Array.from(s.finalTest.subarray(0, 200)));
    const test = new Set(s.finalTest);
    expect(test.size).toBe(2000);
    expect(s.train.some((i) => test.has(i))).toBe(false);
    const all = new Set([...s.finalTest, ...s.train]);
    expect(all.size).toBe(n);
    expect(Math.max(...all)).toBe(n - 1);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = splitIndices(5000, 42);
    const b = splitIndices(5000, 42);
    expect(a.finalTest).toEqual(b.finalTest);
    expect(a.train).toEqual(b.train);
    expect(splitIndices(5000, 43).finalTest).not.toEqual(a.finalTest);
    // a permutation, not a prefix: the test set is spread over the data set
    expect(Math.max(...a.finalTest)).toBeGreaterThan(2500);
  });

  it('accepts other sizes and rejects sets too small for them', () => {
    const s = splitIndices(10, 0, { finalTestSize: 4, runningTestSize: 2 });
    expect([s.finalTest.length, s.runningTest.length, s.train.length]).toEqual([4, 2, 6]);
    expect(() => splitIndices(2000, 0)).toThrow(/has 2000 images, too few for a 2000-image final test set/);
    expect(() => splitIndices(100, 0, { finalTestSize: 10, runningTestSize: 20 })).toThrow(/runningTestSize/);
  });
});

describe('EpochSampler', () => {
  const indices = Uint32Array.from({ length: 103 }, (_, i) => 1000 + i);

  it('covers each index at most once per epoch, drops the remainder, reshuffles each epoch', () => {
    const sampler = new EpochSampler(indices, 10, new Rng(5));
    expect(sampler.batchesPerEpoch).toBe(10);
    const epochs: number[][] = [];
    for (let e = 0; e < 3; e++) {
      const seen: number[] = [];
      for (let b = 0; b < 10; b++) {
        const batch = sampler.nextBatch();
        expect(batch.length).toBe(10);
        seen.push(...batch);
      }
      expect(new Set(seen).size).toBe(100);
      expect(seen.every((i) => i >= 1000 && i < 1103)).toBe(true);
      expect(sampler.epoch).toBe(e);
      epochs.push(seen);
    }
    expect(epochs[1]).not.toEqual(epochs[0]);
  });

  it('resumes exactly from a saved state, mid-epoch and across epochs', () => {
    const a = new Rng(9);
    const original = new EpochSampler(indices, 8, a.fork('sampler'));
    for (let i = 0; i < 17; i++) original.nextBatch(); // into the second epoch (12 batches per epoch)
    const state = original.getState();
    const expected = Array.from({ length: 30 }, () => Array.from(original.nextBatch()));
    const resumed = new EpochSampler(indices, 8, new Rng(12345));
    resumed.setState(state);
    expect(resumed.epoch).toBe(1);
    expect(Array.from({ length: 30 }, () => Array.from(resumed.nextBatch()))).toEqual(expected);
  });

  it('is deterministic for a seed and validates its inputs', () => {
    const x = new EpochSampler(indices, 7, new Rng(3)).nextBatch();
    expect(new EpochSampler(indices, 7, new Rng(3)).nextBatch()).toEqual(x);
    expect(() => new EpochSampler([1, 2], 3, new Rng(1))).toThrow(/fewer than one batch/);
    const s = new EpochSampler(indices, 7, new Rng(3));
    expect(() => s.setState(new EpochSampler(indices, 8, new Rng(3)).getState())).toThrow(/batches of 8/);
  });
});
