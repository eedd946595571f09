/**
 * The paper's reconstruction metric for apps: the mean error, each image's error and each image's optimised
 * z (and the reconstructions on request). A wrapper over metrics/reconstruction.ts: the same numbers.
 */
import type { Module } from '../nn/module.js';
import { reconstructionError } from '../metrics/reconstruction.js';
import { imageLoader, type ImageSource } from './images.js';

export interface ReconstructOptions {
  /** RMSprop steps on z per batch (default 50, the paper's running test) */
  steps?: number;
  /** images per optimisation problem (default 32, the paper's) */
  batchSize?: number;
  lr?: number;
  alpha?: number;
  eps?: number;
  /** use only the first `count` images */
  count?: number;
  /** also return G(z), NCHW */
  returnImages?: boolean;
  /** called after each batch of images */
  onProgress?: (done: number, total: number) => void;
}

export interface ReconstructResult {
  /** mean squared error per pixel and channel, [0, 1] scale, averaged over the images */
  mse: number;
  /** each image's error, in the same units */
  perImage: Float32Array;
  /** each image's optimised z, [count, codeSize] */
  z: Float32Array;
  /** G(z), [count, 3, size, size] (with returnImages) */
  images?: Float32Array;
}

export async function reconstruct(
  G: Module,
  images: ImageSource,
  shape: { imageSize: number; codeSize: number },
  o: ReconstructOptions = {},
): Promise<ReconstructResult> {
  const { imageSize, codeSize } = shape;
  const src = imageLoader(images, imageSize, 'reconstruct');
  const count = o.count ?? src.count;
  if (!Number.isInteger(count) || count < 1 || count > src.count) {
    throw new RangeError(`reconstruct: count must be an integer in [1, ${src.count}] (the images given), got ${o.count}`);
  }
  const r = await reconstructionError(G, count, src.range, [3, imageSize, imageSize], {
    codeSize,
    steps: o.steps ?? 50,
    batchSize: o.batchSize,
    lr: o.lr,
    alpha: o.alpha,
    eps: o.eps,
    keepImages: o.returnImages,
    keepLatents: true,
    onBatch: o.onProgress,
  });
  return { mse: r.mse, perImage: r.perImage, z: r.latents!, ...(r.reconstructions ? { images: r.reconstructions } : {}) };
}
