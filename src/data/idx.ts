/**
 * IDX files (the MNIST / Fashion-MNIST format) and the Fashion-MNIST image data set. Node only.
 *
 * IDX layout: 2 zero bytes, a type byte (0x08 = unsigned byte), the number of dimensions, then one
 * big-endian uint32 per dimension, then the data in row-major order. Image files are type 0x08 with 3
 * dimensions (magic 0x00000803): count × rows × cols. Files may be gzip-compressed (detected from the
 * content, not the name). Labels are 1-D IDX files (magic 0x00000801) named like the images with
 * `images-idx3` → `labels-idx1` (train-labels-idx1-ubyte.gz beside train-images-idx3-ubyte.gz).
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
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

/** Read an IDX file of labels (magic 0x00000801). */
export async function readIdxLabels(path: string): Promise<Uint8Array> {
  return parseIdx(await readMaybeGzip(path), path, 1).data;
}

const isFile = (p: string) => stat(p).then((s) => s.isFile(), () => false);

interface MissingLabels {
  path: string;
  problem: string;
}

/** The labels file beside an image file, or why there is none. */
async function findLabelFile(imagePath: string): Promise<{ found?: string; missing?: MissingLabels }> {
  const name = basename(imagePath);
  if (!name.includes('images-idx3-ubyte')) {
    return { missing: { path: imagePath, problem: "no class labels: only an image file named *images-idx3-ubyte* has a labels file (*labels-idx1-ubyte*) beside it" } };
  }
  const stem = join(dirname(imagePath), name.replace('images-idx3-ubyte', 'labels-idx1-ubyte').replace(/\.gz$/, ''));
  for (const p of [stem + '.gz', stem]) if (await isFile(p)) return { found: p };
  return { missing: { path: stem + '.gz', problem: `labels file not found (nor an uncompressed one); class labels for ${imagePath} are read from it` } };
}

/**
 * The labels of the image files, concatenated in the same order. Missing labels are not an error here
 * (a GAN does not need them): the expected path is returned and label() reports it.
 */
async function loadLabels(images: string[], counts: number[]): Promise<{ labels?: Uint8Array; missing?: MissingLabels }> {
  const files = await Promise.all(images.map(findLabelFile));
  const missing = files.find((f) => f.missing)?.missing;
  if (missing) return { missing };
  const parts = await Promise.all(files.map((f) => readIdxLabels(f.found!)));
  parts.forEach((p, i) => {
    if (p.length !== counts[i]) throw new DataError(files[i]!.found!, `${p.length} labels for the ${counts[i]} images of ${images[i]}`);
  });
  const labels = new Uint8Array(counts.reduce((a, b) => a + b, 0));
  let off = 0;
  for (const p of parts) {
    labels.set(p, off);
    off += p.length;
  }
  return { labels };
}

/** The image files of a Fashion-MNIST / MNIST folder, train first, then test (t10k). */
async function findIdxImageFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const stem of ['train-images-idx3-ubyte', 't10k-images-idx3-ubyte']) {
    let found: string | undefined;
    for (const name of [stem + '.gz', stem]) {
      const p = join(dir, name);
      if (await isFile(p)) {
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
  /** max label + 1 (10 for Fashion-MNIST); undefined when there is no labels file */
  readonly numClasses?: number;

  private constructor(
    private readonly pixels: Uint8Array,
    private readonly rows: number,
    private readonly cols: number,
    private readonly prep: PreprocessOptions,
    description: string,
    private readonly labels: { labels?: Uint8Array; missing?: MissingLabels },
  ) {
    this.length = pixels.length / (rows * cols);
    this.imageSize = prep.imageSize;
    this.description = description;
    if (labels.labels) this.numClasses = labels.labels.reduce((m, l) => Math.max(m, l), 0) + 1;
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
    const labels = await loadLabels(files, parts.map((p) => p.count));
    const labelled = labels.labels ? `, ${new Set(labels.labels).size} classes` : '';
    const description = `IDX images ${path}: ${total} × ${rows}×${cols} grayscale → 3×${prep.imageSize}×${prep.imageSize}${crop}${labelled}`;
    return new IdxImageDataset(pixels, rows, cols, prep, description, labels);
  }

  async label(index: number): Promise<number> {
    checkIndex(index, this.length, 'IdxImageDataset');
    const { labels, missing } = this.labels;
    if (!labels) throw new DataError(missing!.path, missing!.problem);
    return labels[index]!;
  }

  async get(index: number): Promise<Float32Array> {
    checkIndex(index, this.length, 'IdxImageDataset');
    const n = this.rows * this.cols;
    const data = this.pixels.subarray(index * n, (index + 1) * n);
    return preprocess({ width: this.cols, height: this.rows, channels: 1, data }, this.prep);
  }
}
