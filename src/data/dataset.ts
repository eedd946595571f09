/**
 * The interface every image data set implements, and a helper to gather a batch.
 * Pure (no Node APIs), so it can be used in the browser build too.
 */

/**
 * A data set of square RGB images, already preprocessed to the size the model wants.
 *
 * - `length`: number of images; valid indices are 0..length-1, in a fixed order (file order for IDX and
 *   CIFAR-10, sorted file names for a folder, key order for an LMDB).
 * - `channels`: always 3 (grayscale sources are repeated into R, G and B, as the paper does).
 * - `imageSize`: every image is `imageSize`×`imageSize` pixels.
 * - `description`: a one-line human-readable summary (kind, source path, count, preprocessing).
 */
export interface ImageDataset {
  readonly length: number;
  readonly channels: 3;
  readonly imageSize: number;
  readonly description: string;
  /** One image as CHW float32 in [0,1] (value/255), 3 × imageSize × imageSize. */
  get(index: number): Promise<Float32Array>;
  /**
   * The class label of image `index`, in [0, numClasses). Only labelled data sets (Fashion-MNIST IDX,
   * CIFAR-10) define it; it rejects with a DataError naming the file when the labels cannot be read.
   */
  label?(index: number): Promise<number>;
  /** Number of classes, where labels are available. */
  readonly numClasses?: number;
  /** Release open files. Loaders that hold nothing open do not define it. */
  close?(): Promise<void>;
}

/** Throws a RangeError unless `index` is an integer in [0, length). */
export function checkIndex(index: number, length: number, what: string): void {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw new RangeError(`${what}: index ${index} is out of range [0, ${length})`);
  }
}

/**
 * Load the images at `indices` into one NCHW float32 array (N = indices.length, C = 3, H = W = imageSize),
 * image k at offset k·3·H·W. Images are fetched concurrently. Pass `out` to reuse a buffer.
 */
export async function loadBatch(
  ds: ImageDataset,
  indices: ArrayLike<number>,
  out?: Float32Array,
): Promise<Float32Array> {
  const per = ds.channels * ds.imageSize * ds.imageSize;
  const n = indices.length;
  const batch = out ?? new Float32Array(n * per);
  if (batch.length !== n * per) {
    throw new RangeError(`loadBatch: out has ${batch.length} floats, expected ${n}×${per} = ${n * per}`);
  }
  const jobs: Promise<void>[] = [];
  for (let k = 0; k < n; k++) {
    const index = indices[k]!;
    jobs.push(
      ds.get(index).then((img) => {
        if (img.length !== per) {
          throw new Error(`loadBatch: image ${index} has ${img.length} floats, expected ${per}`);
        }
        batch.set(img, k * per);
      }),
    );
  }
  await Promise.all(jobs);
  return batch;
}
