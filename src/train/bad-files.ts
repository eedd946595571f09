/**
 * Loading batches when some images will not read or decode (a corrupt JPEG in a folder of 200k): each bad
 * image is recorded, reported once, and replaced by the next good image of the same index list, so that a
 * batch stays full and the replacement is the same whenever the run is repeated or resumed. Too many bad
 * files (a share of the data set above the limit) stop the run.
 */
import { DataError } from '../data/errors.js';
import type { ImageDataset } from '../data/dataset.js';

export interface BadFile {
  index: number;
  path: string;
  reason: string;
}

export class TooManyBadFilesError extends Error {}

export class SkippingLoader {
  readonly bad = new Map<number, BadFile>();

  /**
   * @param maxPercent stop when more than this percentage of `ds`'s images are bad
   * @param onBad called once per newly found bad image (before the limit is checked)
   */
  constructor(readonly ds: ImageDataset, private readonly maxPercent: number, private readonly onBad: (f: BadFile) => Promise<void> | void) {}

  private async tryGet(index: number): Promise<Float32Array | null> {
    if (this.bad.has(index)) return null;
    try {
      return await this.ds.get(index);
    } catch (e) {
      if (!(e instanceof DataError)) throw e;
      if (this.bad.has(index)) return null;
      const reason = e.message.startsWith(`${e.path}: `) ? e.message.slice(e.path.length + 2) : e.message;
      const f = { index, path: e.path, reason };
      this.bad.set(index, f);
      await this.onBad(f);
      if (this.bad.size * 100 > this.maxPercent * this.ds.length) {
        throw new TooManyBadFilesError(
          `${this.bad.size} of ${this.ds.length} images (${((100 * this.bad.size) / this.ds.length).toFixed(2)}%) could not be read or decoded, ` +
            `more than --max-bad-files ${this.maxPercent}% allows; the latest: ${e.message}. wngan check-data --data PATH lists them all`,
        );
      }
      return null;
    }
  }

  /** Image `index`, or if it is bad the next good one after it in `pool` (cyclically). */
  async image(index: number, pool: ArrayLike<number>): Promise<Float32Array> {
    const img = await this.tryGet(index);
    if (img) return img;
    const at = Array.prototype.indexOf.call(pool, index) as number;
    for (let k = 1; k <= pool.length; k++) {
      const other = await this.tryGet(pool[(at + k + pool.length) % pool.length]!);
      if (other) return other;
    }
    throw new TooManyBadFilesError(`none of the ${pool.length} images could be read or decoded`);
  }

  /** The images at `indices` as one NCHW array; bad ones are replaced from `pool` (see image()). */
  async loadBatch(indices: ArrayLike<number>, pool: ArrayLike<number>): Promise<Float32Array> {
    const per = this.ds.channels * this.ds.imageSize * this.ds.imageSize;
    const out = new Float32Array(indices.length * per);
    const jobs: Promise<void>[] = [];
    for (let k = 0; k < indices.length; k++) jobs.push(this.image(indices[k]!, pool).then((img) => out.set(img, k * per)));
    await Promise.all(jobs);
    return out;
  }
}
