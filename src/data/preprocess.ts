/**
 * The paper's preprocessing (R1), the same for every loader:
 *   1. optional centre crop to `centerCrop`×`centerCrop` (e.g. 160 for CelebA);
 *   2. resize so the shorter side is `imageSize` (longer side = floor(imageSize·long/short), as
 *      torchvision's Resize(int) does);
 *   3. centre crop to `imageSize`×`imageSize`;
 *   4. value/255 into [0,1] float32, CHW; grayscale repeated into 3 channels; no mean/std normalisation.
 *
 * Resize method: separable bilinear (triangle) filter whose support widens by the scale factor when
 * downscaling, i.e. antialiased bilinear — the algorithm of PIL's `Image.resize(BILINEAR)`, which is what
 * torchvision's Resize applied to the paper's PIL images. Upscaling (Fashion-MNIST 28→32) is plain bilinear
 * with pixel centres at +0.5. We compute in floating point; PIL rounds to 8 bits after each of its two
 * passes, so our values differ from PIL's by less than 1/255 (tested against Pillow's output).
 *
 * Centre-crop offsets are round((size − crop)/2) with round-half-to-even, as torchvision computes them. A
 * `centerCrop` larger than the image keeps that dimension whole (torchvision would pad with zeros).
 *
 * Pure (no Node APIs).
 */

/** A decoded 8-bit image, channel-planar (CHW): `data[c·H·W + y·W + x]`. */
export interface RawImage {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
}

export interface PreprocessOptions {
  /** Output side length (square). */
  imageSize: number;
  /** Optional centre crop applied before resizing (square side in source pixels). */
  centerCrop?: number;
}

/** Python's round(): halves go to the even neighbour. Used for crop offsets, like torchvision. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Offset of a centred window of length `crop` inside `size`. */
export function centerOffset(size: number, crop: number): number {
  return roundHalfEven((size - crop) / 2);
}

/** Size after "shorter side → target" resizing. */
export function resizedSize(width: number, height: number, target: number): [number, number] {
  if (width === height) return [target, target];
  if (width < height) return [target, Math.floor((target * height) / width)];
  return [Math.floor((target * width) / height), target];
}

/** Filter taps of a 1-D resize: output i = Σ_k weights[i·maxTaps + k] · input[start[i] + k]. */
interface ResizeTaps {
  start: Int32Array;
  count: Int32Array;
  weights: Float64Array;
  maxTaps: number;
}

const tapCache = new Map<string, ResizeTaps>();

/** PIL's precompute_coeffs for the bilinear filter (support 1, widened by the scale when downscaling). */
function resizeTaps(inSize: number, outSize: number): ResizeTaps {
  const cacheKey = `${inSize}>${outSize}`;
  const hit = tapCache.get(cacheKey);
  if (hit) return hit;
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale; // bilinear support is 1 source pixel at scale 1
  const maxTaps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * maxTaps);
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
    let total = 0;
    for (let k = 0; k < hi - lo; k++) {
      const t = Math.abs((k + lo - center + 0.5) / filterScale);
      const w = t < 1 ? 1 - t : 0;
      weights[i * maxTaps + k] = w;
      total += w;
    }
    if (total > 0) for (let k = 0; k < hi - lo; k++) weights[i * maxTaps + k]! /= total;
    start[i] = lo;
    count[i] = hi - lo;
  }
  const taps = { start, count, weights, maxTaps };
  if (tapCache.size > 256) tapCache.clear(); // image folders can have many sizes; keep the cache small
  tapCache.set(cacheKey, taps);
  return taps;
}

/**
 * Apply the preprocessing above to a decoded image. Returns CHW float32, 3×imageSize×imageSize, in [0,1].
 */
export function preprocess(img: RawImage, opts: PreprocessOptions): Float32Array {
  const { width, height, channels, data } = img;
  const size = opts.imageSize;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`imageSize must be a positive integer, got ${size}`);
  if (data.length !== width * height * channels) {
    throw new RangeError(`RawImage: ${data.length} bytes for ${channels}×${height}×${width}`);
  }
  // 1. Optional centre crop: the source window [x0, x0+cw) × [y0, y0+ch).
  let x0 = 0;
  let y0 = 0;
  let cw = width;
  let ch = height;
  if (opts.centerCrop !== undefined) {
    const c = opts.centerCrop;
    if (!Number.isInteger(c) || c < 1) throw new RangeError(`centerCrop must be a positive integer, got ${c}`);
    cw = Math.min(c, width);
    ch = Math.min(c, height);
    x0 = centerOffset(width, cw);
    y0 = centerOffset(height, ch);
  }
  // 2+3. Resize shorter side to `size`; only the output columns/rows inside the final crop are computed.
  const [rw, rh] = resizedSize(cw, ch, size);
  const left = centerOffset(rw, size);
  const top = centerOffset(rh, size);
  const plane = size * size;
  const out = new Float32Array(3 * plane);
  const srcPlane = width * height;

  if (rw === cw && rh === ch) {
    // No resampling needed: a pure crop.
    for (let c = 0; c < 3; c++) {
      const src = (channels === 1 ? 0 : c) * srcPlane;
      for (let y = 0; y < size; y++) {
        const row = src + (y0 + top + y) * width + x0 + left;
        for (let x = 0; x < size; x++) out[c * plane + y * size + x] = data[row + x]! / 255;
      }
    }
    return out;
  }

  const hTaps = resizeTaps(cw, rw);
  const vTaps = resizeTaps(ch, rh);
  // Horizontal pass: every source row of the window → `size` output columns.
  const tmp = new Float64Array(channels * ch * size);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < ch; y++) {
      const row = c * srcPlane + (y0 + y) * width + x0;
      const dst = (c * ch + y) * size;
      for (let x = 0; x < size; x++) {
        const i = left + x;
        const s = row + hTaps.start[i]!;
        const wBase = i * hTaps.maxTaps;
        let acc = 0;
        for (let k = 0, n = hTaps.count[i]!; k < n; k++) acc += hTaps.weights[wBase + k]! * data[s + k]!;
        tmp[dst + x] = acc;
      }
    }
  }
  // Vertical pass (row-wise accumulation keeps memory access sequential), then scale to [0,1].
  const acc = new Float64Array(size);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < size; y++) {
      const j = top + y;
      const s = vTaps.start[j]!;
      const wBase = j * vTaps.maxTaps;
      acc.fill(0);
      for (let k = 0, n = vTaps.count[j]!; k < n; k++) {
        const w = vTaps.weights[wBase + k]!;
        const srcRow = (c * ch + s + k) * size;
        for (let x = 0; x < size; x++) acc[x]! += w * tmp[srcRow + x]!;
      }
      const dst = c * plane + y * size;
      for (let x = 0; x < size; x++) out[dst + x] = Math.min(1, Math.max(0, acc[x]! / 255));
    }
  }
  if (channels === 1) {
    out.copyWithin(plane, 0, plane);
    out.copyWithin(2 * plane, 0, plane);
  }
  return out;
}
