/**
 * The demo's training images: a gzipped IDX file of 28×28 grayscale Fashion-MNIST images (written by
 * scripts/make-web-subset.mjs), unpacked with the browser's DecompressionStream and turned into the model's
 * 3×size×size input by the engine's own preprocessing (the same resize as `wngan train`'s IDX loader).
 */
import { preprocess } from '../../src/data/preprocess.js';

export interface GrayImages {
  count: number;
  rows: number;
  cols: number;
  /** count × rows × cols bytes, row-major */
  pixels: Uint8Array;
}

/** Fetch and parse the subset; errors name the URL and what is wrong. */
export async function loadIdxImages(url: string): Promise<GrayImages> {
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new Error(`${url}: HTTP ${res.status} ${res.statusText}`);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await new Response(res.body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
  } catch (e) {
    throw new Error(`${url}: not valid gzip data (${(e as Error).message})`);
  }
  return parseIdxImages(bytes, url);
}

export function parseIdxImages(bytes: Uint8Array, what: string): GrayImages {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 16 || v.getUint32(0) !== 0x803) throw new Error(`${what}: not an IDX image file (expected magic 0x00000803)`);
  const [count, rows, cols] = [v.getUint32(4), v.getUint32(8), v.getUint32(12)];
  if (bytes.length !== 16 + count * rows * cols) throw new Error(`${what}: ${bytes.length} bytes, but the header says ${count}×${rows}×${cols}`);
  return { count, rows, cols, pixels: bytes.subarray(16) };
}

/** One grayscale image (rows×cols bytes) → the model's input, 3×size×size in [0, 1]. */
export function toModelImage(gray: Uint8Array, rows: number, cols: number, size: number): Float32Array {
  return preprocess({ width: cols, height: rows, channels: 1, data: gray }, { imageSize: size });
}

/** Images [start, start + n) of the set, preprocessed to `size`, NCHW. */
export function toModelImages(set: GrayImages, start: number, n: number, size: number): Float32Array {
  const per = 3 * size * size;
  const px = set.rows * set.cols;
  const out = new Float32Array(n * per);
  for (let i = 0; i < n; i++) {
    const k = start + i;
    out.set(toModelImage(set.pixels.subarray(k * px, (k + 1) * px), set.rows, set.cols, size), i * per);
  }
  return out;
}
