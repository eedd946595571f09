/**
 * LSUN scene data from its LMDB release (e.g. `bedroom_train_lmdb`): keys are image ids, values are
 * encoded images (WebP in the official release; JPEG/PNG work too). Node only.
 *
 * Images are in LMDB key order; each get() reads one value with positional file reads (see LmdbReader)
 * and decodes it with sharp, so memory stays bounded however large the database. Call close().
 */
import { DataError } from './errors.js';
import { checkIndex, type ImageDataset } from './dataset.js';
import { preprocess, type PreprocessOptions } from './preprocess.js';
import { decodeImage } from './decode.js';
import { LmdbReader } from './lmdb-reader.js';

export interface LsunOptions extends Partial<PreprocessOptions> {
  /** The LMDB environment folder (holding data.mdb), or the data.mdb file. */
  path: string;
}

/** A key as text for messages: printable ASCII as is (LSUN ids are hex), anything else as hex. */
function keyText(key: Uint8Array): string {
  const printable = key.every((b) => b >= 0x20 && b < 0x7f);
  return printable ? Buffer.from(key).toString('latin1') : '0x' + Buffer.from(key).toString('hex');
}

export class LsunLmdbDataset implements ImageDataset {
  readonly channels = 3 as const;
  readonly length: number;
  readonly imageSize: number;
  readonly description: string;

  private constructor(
    private readonly db: LmdbReader,
    private readonly prep: PreprocessOptions,
    path: string,
  ) {
    this.length = db.length;
    this.imageSize = prep.imageSize;
    const crop = prep.centerCrop ? `centre crop ${prep.centerCrop}, ` : '';
    this.description = `LSUN LMDB ${path}: ${this.length} images → ${crop}3×${prep.imageSize}×${prep.imageSize}`;
  }

  /** `imageSize` defaults to 64. */
  static async open(opts: LsunOptions): Promise<LsunLmdbDataset> {
    const db = await LmdbReader.open(opts.path);
    if (db.length === 0) {
      await db.close();
      throw new DataError(db.file, 'the LMDB database has no entries');
    }
    return new LsunLmdbDataset(db, { imageSize: opts.imageSize ?? 64, centerCrop: opts.centerCrop }, opts.path);
  }

  /** The key (image id) of image `index`. */
  async key(index: number): Promise<string> {
    checkIndex(index, this.length, 'LsunLmdbDataset');
    return keyText(await this.db.keyAt(index));
  }

  async get(index: number): Promise<Float32Array> {
    checkIndex(index, this.length, 'LsunLmdbDataset');
    const { key, value } = await this.db.entryAt(index);
    const img = await decodeImage(value, `${this.db.file} [entry ${index}, key ${keyText(key)}]`);
    return preprocess(img, this.prep);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
