/**
 * IDX files (the MNIST / Fashion-MNIST format) and the Fashion-MNIST image data set. Node only.
 *
 * IDX layout: 2 zero bytes, a type byte (0x08 = unsigned byte), the number of dimensions, then one
 * big-endian uint32 per dimension, then the data in row-major order. Image files are type 0x08 with 3
 * dimensions (magic 0x00000803): count × rows × cols. Files may be gzip-compressed (detected from the
 * content, not the name).
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { DataError, isNotFound } from './errors.js';
import { checkIndex, type ImageDataset } from './dataset.js';
import { preprocess, type PreprocessOptions } from './preprocess.js';

const gunzipAsync = promisify(gunzip);

/** Where Debian's `dataset-fashion-mnist` package installs Fashion-MNIST. */
export const DEFAULT_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** An IDX array of unsigned bytes. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Read a file, gunzipping it if it starts with the gzip signature. */
async function readMaybeGzip(path: string): Promise<Uint8Array> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    if (isNotFound(err)) throw new DataError(path, 'file not found', { cause: err });
    throw new DataError(path, `cannot read file (${(err as Error).message})`, { cause: err });
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return await gunzipAsync(bytes);
    } catch (err) {
      throw new DataError(path, `corrupt or truncated gzip data (${(err as Error).message})`, { cause: err });
    }
  }
  return bytes;
}

/**
 * Parse IDX bytes. Validates the magic number (two zero bytes, type 0x08), the dimension count when
 * `expectDims` is given, and that the length equals header + product of dimensions.
 */
export function parseIdx(bytes: Uint8Array, path: string, expectDims?: number): IdxArray {
  if (bytes.length < 4) throw new DataError(path, `not an IDX file: only ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const hex = '0x' + magic.toString(16).padStart(8, '0');
  if (bytes[0] !== 0 || bytes[1] !== 0) throw new DataError(path, `not an IDX file: bad magic number ${hex}`);
  if (bytes[2] !== 0x08) {
    throw new DataError(path, `unsupported IDX element type 0x${bytes[2]!.toString(16)} (magic ${hex}); only unsigned bytes (0x08)`);
  }
  const ndim = bytes[3]!;
  if (expectDims !== undefined && ndim !== expectDims) {
    const want = '0x' + (0x800 + expectDims).toString(16).padStart(8, '0');
    throw new DataError(path, `wrong IDX magic number ${hex}: expected ${want} (${expectDims}-D unsigned bytes)`);
  }
  const header = 4 + 4 * ndim;
  if (bytes.length < header) throw new DataError(path, `truncated IDX header: ${bytes.length} bytes, need ${header}`);
  const dims: number[] = [];
  let count = 1;
  for (let d = 0; d < ndim; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    dims.push(n);
    count *= n;
  }
  const expected = header + count;
  if (bytes.length < expected) {
    throw new DataError(path, `truncated IDX file: header says ${dims.join('×')} (${expected} bytes) but it has ${bytes.length}`);
  }
  if (bytes.length > expected) {
    throw new DataError(path, `IDX file length mismatch: header says ${dims.join('×')} (${expected} bytes) but it has ${bytes.length}`);
  }
  return { dims, data: bytes.subarray(header) };
}

/** Read an IDX file of images (magic 0x00000803): returns count, rows, cols and the pixels. */
export async function readIdxImages(path: string): Promise<{ count: number; rows: number; cols: number; pixels: Uint8Array }> {
  const { dims, data } = parseIdx(await readMaybeGzip(path), path, 3);
  const [count, rows, cols] = dims as [number, number, number];
  if (rows === 0 || cols === 0) throw new DataError(path, `IDX images have zero size ${rows}×${cols}`);
  return { count, rows, cols, pixels: data };
}

/** The image files of a Fashion-MNIST / MNIST folder, train first, then test (t10k). */
async function findIdxImageFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const stem of ['train-images-idx3-ubyte', 't10k-images-idx3-ubyte']) {
    let found: string | undefined;
    for (const name of [stem + '.gz', stem]) {
      const p = join(dir, name);
      if (await stat(p).then((s) => s.isFile(), () => false)) {
        found = p;
        break;
      }
    }
    if (!found) throw new DataError(join(dir, stem + '.gz'), 'file not found (nor an uncompressed one)');
    files.push(found);
  }
  return files;
}

export interface FashionMnistOptions extends Partial<PreprocessOptions> {
  /**
   * A folder holding train-images-idx3-ubyte[.gz] and t10k-images-idx3-ubyte[.gz] (both are used, train
   * then test: 70000 images), or one IDX image file. Default: Debian's /usr/share/datasets/fashion-mnist.
   */
  path?: string;
}

/**
 * Fashion-MNIST (or MNIST, or any IDX image file): 28×28 grayscale, resized to `imageSize` (default 32) and
 * expanded to 3 channels. The decoded pixels (55 MB for 70k images) are held in memory.
 */
export class IdxImageDataset implements ImageDataset {
  readonly channels = 3 as const;
  readonly length: number;
  readonly imageSize: number;
  readonly description: string;

  private constructor(
    private readonly pixels: Uint8Array,
    private readonly rows: number,
    private readonly cols: number,
    private readonly prep: PreprocessOptions,
    description: string,
  ) {
    this.length = pixels.length / (rows * cols);
    this.imageSize = prep.imageSize;
    this.description = description;
  }

  static async open(opts: FashionMnistOptions = {}): Promise<IdxImageDataset> {
    const path = opts.path ?? DEFAULT_FASHION_MNIST_DIR;
    const st = await stat(path).catch((err: unknown) => {
      throw new DataError(path, isNotFound(err) ? 'not found' : `cannot access (${(err as Error).message})`, { cause: err });
    });
    const files = st.isDirectory() ? await findIdxImageFiles(path) : [path];
    const parts = await Promise.all(files.map(readIdxImages));
    const { rows, cols } = parts[0]!;
    for (let i = 1; i < parts.length; i++) {
      if (parts[i]!.rows !== rows || parts[i]!.cols !== cols) {
        throw new DataError(files[i]!, `images are ${parts[i]!.rows}×${parts[i]!.cols} but ${files[0]} has ${rows}×${cols}`);
      }
    }
    const total = parts.reduce((n, p) => n + p.count, 0);
    if (total === 0) throw new DataError(path, 'IDX data set has no images');
    const pixels = parts.length === 1 ? parts[0]!.pixels : new Uint8Array(total * rows * cols);
    if (parts.length > 1) {
      let off = 0;
      for (const p of parts) {
        pixels.set(p.pixels, off);
        off += p.pixels.length;
      }
    }
    const prep: PreprocessOptions = { imageSize: opts.imageSize ?? 32, centerCrop: opts.centerCrop };
    const crop = prep.centerCrop ? `, centre crop ${prep.centerCrop}` : '';
    const description = `IDX images ${path}: ${total} × ${rows}×${cols} grayscale → 3×${prep.imageSize}×${prep.imageSize}${crop}`;
    return new IdxImageDataset(pixels, rows, cols, prep, description);
  }

  async get(index: number): Promise<Float32Array> {
    checkIndex(index, this.length, 'IdxImageDataset');
    const n = this.rows * this.cols;
    const data = this.pixels.subarray(index * n, (index + 1) * n);
    return preprocess({ width: this.cols, height: this.rows, channels: 1, data }, this.prep);
  }
}
