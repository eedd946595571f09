/**
 * The paper's train/test split (R1): permute all indices 0..n-1 with a seeded generator; the first
 * `finalTestSize` (2000) permuted indices are the final test set, the first `runningTestSize` (200) of those
 * are the running test set (so running ⊂ final), and all the rest are training data. The test images are
 * never trained on.
 *
 * The permutation comes from `new Rng(seed).fork('data-split')`, so it depends only on the seed and n (and
 * is independent of any other use of the same seed). It is our own generator, not torch.randperm, so the
 * sets differ from the official code's for the same seed number.
 *
 * Small data sets: if n < finalTestSize + 1 (no training image would be left) this throws a RangeError
 * saying so; pass smaller sizes explicitly for tiny data sets. Pure (no Node APIs).
 */
import { Rng } from '../util/rng.js';

export interface SplitOptions {
  /** Final test set size. Default 2000. */
  finalTestSize?: number;
  /** Running test set size (a prefix of the final test set). Default 200. */
  runningTestSize?: number;
}

export interface DataSplit {
  /** Indices of the final test set (first finalTestSize permuted indices). */
  finalTest: Uint32Array;
  /** Indices of the running test set: the first runningTestSize entries of finalTest. */
  runningTest: Uint32Array;
  /** Indices of the training set: the remaining permuted indices, in permuted order. */
  train: Uint32Array;
}

export function splitIndices(n: number, seed: number | bigint, opts: SplitOptions = {}): DataSplit {
  const finalTestSize = opts.finalTestSize ?? 2000;
  const runningTestSize = opts.runningTestSize ?? 200;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`splitIndices: data set size must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(finalTestSize) || finalTestSize < 0) throw new RangeError(`splitIndices: finalTestSize must be a non-negative integer, got ${finalTestSize}`);
  if (!Number.isInteger(runningTestSize) || runningTestSize < 0 || runningTestSize > finalTestSize) {
    throw new RangeError(`splitIndices: runningTestSize must be an integer in [0, finalTestSize=${finalTestSize}], got ${runningTestSize}`);
  }
  if (n < finalTestSize + 1) {
    throw new RangeError(
      `splitIndices: the data set has ${n} images, too few for a ${finalTestSize}-image final test set plus at least one training image; pass a smaller finalTestSize (and runningTestSize)`,
    );
  }
  const perm = new Rng(seed).fork('data-split').permutation(n);
  return {
    finalTest: perm.slice(0, finalTestSize),
    runningTest: perm.slice(0, runningTestSize),
    train: perm.slice(finalTestSize),
  };
}
