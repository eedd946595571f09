/**
 * The GPU side of the sample-quality metrics: classifier features of real or generated images, and FD/KID
 * of a generator against precomputed real features (sample-quality.ts does the statistics on the host).
 */
import type { Module } from '../nn/module.js';
import type { Classifier } from '../models/classifier.js';
import { tensor } from '../tensor/tensor.js';
import { tidy } from '../tensor/scope.js';
import { noGrad } from '../autograd/tape.js';
import { generateImages } from '../train/gan.js';
import { Rng } from '../util/rng.js';
import { frechetDistance, kernelInceptionDistance, type KidOptions } from './sample-quality.js';

export interface FeatureOptions {
  /** images per forward pass (default 200) */
  batchSize?: number;
  /** called after each batch with the number of images done */
  onBatch?: (done: number, total: number) => void;
}

/**
 * Features (count × d, row-major) of `count` images fetched in batches by `loadImages(start, n)` (NCHW,
 * [0, 1], imageSize px). The classifier runs in eval mode without recording; each batch is freed.
 */
export async function extractFeatures(
  classifier: Classifier,
  count: number,
  loadImages: (start: number, n: number) => Promise<Float32Array>,
  imageSize: number,
  o: FeatureOptions = {},
): Promise<Float32Array> {
  if (imageSize !== classifier.cfg.imageSize) {
    throw new RangeError(`extractFeatures: the classifier takes ${classifier.cfg.imageSize}px images, got ${imageSize}px`);
  }
  const B = o.batchSize ?? 200;
  const d = classifier.featureDim;
  const per = 3 * imageSize * imageSize;
  const out = new Float32Array(count * d);
  const was = classifier.training;
  classifier.eval();
  try {
    for (let start = 0; start < count; start += B) {
      const n = Math.min(B, count - start);
      const x = await loadImages(start, n);
      if (x.length < n * per) throw new RangeError(`extractFeatures: loadImages(${start}, ${n}) returned ${x.length} values, expected ${n * per}`);
      const f = tidy(() => noGrad(() => classifier.features(tensor(x.subarray(0, n * per), [n, 3, imageSize, imageSize]))));
      out.set(await f.read(), start * d);
      f.dispose();
      o.onBatch?.(start + n, count);
    }
  } finally {
    classifier.train(was);
  }
  return out;
}

/** Features of n images from G (eval mode) for z ~ N(0, I) drawn from `new Rng(seed)`, n × codeSize in order. */
export async function generatedFeatures(
  G: Module,
  codeSize: number,
  classifier: Classifier,
  n: number,
  seed: number,
  imageSize: number,
  o: FeatureOptions = {},
): Promise<Float32Array> {
  const z = new Float32Array(n * codeSize);
  new Rng(seed).fillNormal(z);
  return extractFeatures(classifier, n, (start, k) => generateImages(G, z.subarray(start * codeSize), k, codeSize), imageSize, o);
}

export interface SampleQuality {
  /** Fréchet distance between the real and generated features */
  fd: number;
  /** KID: mean unbiased MMD² over subsets */
  kid: number;
  /** standard deviation of KID over subsets */
  kidStd: number;
  /** standard error of KID (kidStd / √subsets) */
  kidStderr: number;
  /** generated samples */
  n: number;
}

/** FD and KID of n samples of G against `realFeatures` (rows of the classifier's feature dimension). */
export async function sampleQuality(
  G: Module,
  codeSize: number,
  classifier: Classifier,
  realFeatures: Float32Array,
  n: number,
  seed: number,
  imageSize: number,
  o: FeatureOptions & { kid?: KidOptions } = {},
): Promise<SampleQuality> {
  const d = classifier.featureDim;
  if (realFeatures.length % d !== 0) throw new RangeError(`sampleQuality: ${realFeatures.length} real feature values are not rows of ${d}`);
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`sampleQuality: needs at least 2 generated samples, got ${n}`);
  const fake = await generatedFeatures(G, codeSize, classifier, n, seed, imageSize, o);
  const fd = frechetDistance(realFeatures, fake, d);
  const k = kernelInceptionDistance(realFeatures, fake, d, o.kid);
  return { fd, kid: k.kid, kidStd: k.kidStd, kidStderr: k.kidStderr, n };
}
