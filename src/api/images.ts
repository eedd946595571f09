/**
 * Images given to the API: one Float32Array of N images NCHW (3 × size × size each, values in [0, 1]) or an
 * ImageDataset (the loaders' interface: get(i) per image). Both become (start, n) and (indices) loaders.
 */
import { loadBatch, type ImageDataset } from '../data/dataset.js';

export type ImageSource = Float32Array | ImageDataset;

export interface ImageLoader {
  count: number;
  range(start: number, n: number): Promise<Float32Array>;
  gather(indices: ArrayLike<number>): Promise<Float32Array>;
}

export function imageLoader(src: ImageSource, imageSize: number, what: string): ImageLoader {
  const per = 3 * imageSize * imageSize;
  if (src instanceof Float32Array) {
    if (src.length === 0 || src.length % per !== 0) {
      throw new RangeError(`${what}: a Float32Array of ${src.length} floats is not N images of 3×${imageSize}×${imageSize} (${per} floats each, NCHW)`);
    }
    return {
      count: src.length / per,
      range: async (start, n) => src.subarray(start * per, (start + n) * per),
      gather: async (indices) => {
        const out = new Float32Array(indices.length * per);
        for (let k = 0; k < indices.length; k++) out.set(src.subarray(indices[k]! * per, (indices[k]! + 1) * per), k * per);
        return out;
      },
    };
  }
  if (!src || typeof (src as ImageDataset).get !== 'function') {
    throw new TypeError(`${what}: expected a Float32Array of NCHW images or an ImageDataset (length, imageSize, get(i))`);
  }
  if (src.imageSize !== imageSize) {
    throw new RangeError(`${what}: the data set's images are ${src.imageSize} px (${src.description}), the model's are ${imageSize} px`);
  }
  return {
    count: src.length,
    range: (start, n) => loadBatch(src, Array.from({ length: n }, (_, k) => start + k)),
    gather: (indices) => loadBatch(src, indices),
  };
}
