/**
 * CIFAR-10, binary version (cifar-10-batches-bin). Node only.
 *
 * Each file is a sequence of 3073-byte records: 1 label byte, then 3072 pixel bytes, channel-planar
 * (1024 R, 1024 G, 1024 B), each plane row-major 32×32. The paper concatenates train and test before its
 * own split, so the default file list is data_batch_1..5.bin then test_batch.bin (60000 images).
 *
 * Records are read on demand with positional reads from open file handles (bounded memory); call close().
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError, isNotFound } from './errors.js';
import { checkIndex, type ImageDataset } from './dataset.js';
import { preprocess, type PreprocessOptions } from './preprocess.js';

export const CIFAR10_RECORD_BYTES = 3073;
const PIXELS = 3072;
const SIDE = 32;

/** The six files of cifar-10-batches-bin, in the order they are concatenated. */
export const CIFAR10_FILES = [
  'data_batch_1.bin',
  'data_batch_2.bin',
  'data_batch_3.bin',
  'data_batch_4.bin',
  'data_batch_5.bin',
  'test_batch.bin',
] as const;

export interface Cifar10Options extends Partial<PreprocessOptions> {
  /** The cifar-10-batches-bin folder (all six files must be there), or a single batch .bin file. */
  path: string;
}

export class Cifar10Dataset implements ImageDataset {
  readonly channels = 3 as const;
  readonly length: number;
  readonly imageSize: number;
  readonly description: string;
  readonly numClasses = 10;
  /** First global index of each file, plus the total at the end. */
  private readonly starts: number[];

  private constructor(
    private readonly files: string[],
    private readonly handles: FileHandle[],
    counts: number[],
    private readonly prep: PreprocessOptions,
    path: string,
  ) {
    this.starts = [0];
    for (const c of counts) this.starts.push(this.starts[this.starts.length - 1]! + c);
    this.length = this.starts[this.starts.length - 1]!;
    this.imageSize = prep.imageSize;
    const crop = prep.centerCrop ? `, centre crop ${prep.centerCrop}` : '';
    this.description = `CIFAR-10 ${path}: ${this.length} × 3×32×32 from ${files.length} file(s) → 3×${prep.imageSize}×${prep.imageSize}${crop}`;
  }

  static async open(opts: Cifar10Options): Promise<Cifar10Dataset> {
    const path = opts.path;
    const st = await stat(path).catch((err: unknown) => {
      throw new DataError(path, isNotFound(err) ? 'not found' : `cannot access (${(err as Error).message})`, { cause: err });
    });
    const files = st.isDirectory() ? CIFAR10_FILES.map((f) => join(path, f)) : [path];
    if (st.isDirectory()) {
      const present = await Promise.all(files.map((f) => stat(f).then((s) => s.isFile(), () => false)));
      const missing = files.filter((_, i) => !present[i]);
      if (missing.length > 0) {
        throw new DataError(missing[0]!, `file not found (CIFAR-10 folder ${path} lacks ${missing.map((m) => m.slice(path.length + 1)).join(', ')})`);
      }
    }
    const counts: number[] = [];
    for (const f of files) {
      const size = (await stat(f)).size;
      if (size === 0 || size % CIFAR10_RECORD_BYTES !== 0) {
        throw new DataError(f, `wrong CIFAR-10 record size: file length ${size} is not a positive multiple of ${CIFAR10_RECORD_BYTES} (1 label + 3072 pixel bytes)`);
      }
      counts.push(size / CIFAR10_RECORD_BYTES);
    }
    const handles: FileHandle[] = [];
    try {
      for (const f of files) handles.push(await open(f, 'r'));
    } catch (err) {
      await Promise.all(handles.map((h) => h.close()));
      throw err;
    }
    const prep: PreprocessOptions = { imageSize: opts.imageSize ?? 32, centerCrop: opts.centerCrop };
    return new Cifar10Dataset(files, handles, counts, prep, path);
  }

  /** The file holding image `index` and the record within it. */
  private locate(index: number, what: string): [number, number] {
    checkIndex(index, this.length, 'Cifar10Dataset');
    if (this.handles.length === 0) throw new Error(`Cifar10Dataset: ${what}() after close()`);
    // at most 6 files: a linear scan is fine
    let f = 0;
    while (index >= this.starts[f + 1]!) f++;
    return [f, index - this.starts[f]!];
  }

  async get(index: number): Promise<Float32Array> {
    const [f, record] = this.locate(index, 'get');
    const pixels = new Uint8Array(PIXELS);
    const { bytesRead } = await this.handles[f]!.read(pixels, 0, PIXELS, record * CIFAR10_RECORD_BYTES + 1);
    if (bytesRead !== PIXELS) throw new DataError(this.files[f]!, `short read at record ${record} (file changed?)`);
    return preprocess({ width: SIDE, height: SIDE, channels: 3, data: pixels }, this.prep);
  }

  /** The record's label byte (0..9: airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck). */
  async label(index: number): Promise<number> {
    const [f, record] = this.locate(index, 'label');
    const byte = new Uint8Array(1);
    const { bytesRead } = await this.handles[f]!.read(byte, 0, 1, record * CIFAR10_RECORD_BYTES);
    if (bytesRead !== 1) throw new DataError(this.files[f]!, `short read at record ${record} (file changed?)`);
    if (byte[0]! >= this.numClasses) throw new DataError(this.files[f]!, `record ${record} has label ${byte[0]}, not a CIFAR-10 class (0..9)`);
    return byte[0]!;
  }

  async close(): Promise<void> {
    await Promise.all(this.handles.map((h) => h.close()));
    this.handles.length = 0;
  }
}
