/**
 * A folder of image files (e.g. CelebA's img_align_celeba). Node only.
 *
 * The images are the files directly in the folder (not in subfolders) whose names end in .jpg, .jpeg,
 * .png, .webp, .bmp, .tif or .tiff (any case), in sorted name order (plain code-unit order, so it does not
 * depend on the locale). Each is decoded with sharp when requested, then preprocessed (optional centre crop,
 * shorter side → imageSize, centre square crop; grayscale → RGB; alpha dropped).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError, isNotFound } from './errors.js';
import { checkIndex, type ImageDataset } from './dataset.js';
import { preprocess, type PreprocessOptions } from './preprocess.js';
import { decodeImage } from './decode.js';

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.bmp', '.tif', '.tiff'];

export function isImageFileName(name: string): boolean {
  const lower = name.toLowerCase();
  return IMAGE_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

/** The image file names in `dir`, sorted. Throws a DataError if the folder is missing or has none. */
export async function listImageFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (isNotFound(err)) throw new DataError(dir, 'folder not found', { cause: err });
    const code = (err as { code?: string }).code;
    if (code === 'ENOTDIR') throw new DataError(dir, 'not a folder', { cause: err });
    throw new DataError(dir, `cannot list folder (${(err as Error).message})`, { cause: err });
  }
  const names = entries
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && isImageFileName(e.name))
    .map((e) => e.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (names.length === 0) {
    throw new DataError(dir, `empty image folder: no files ending in ${IMAGE_EXTENSIONS.join(', ')}`);
  }
  return names;
}

export interface ImageFolderOptions extends Partial<PreprocessOptions> {
  path: string;
}

export class ImageFolderDataset implements ImageDataset {
  readonly channels = 3 as const;
  readonly length: number;
  readonly imageSize: number;
  readonly description: string;

  private constructor(
    private readonly dir: string,
    /** Sorted file names (not full paths, to keep memory low for 200k-image folders). */
    readonly fileNames: readonly string[],
    private readonly prep: PreprocessOptions,
  ) {
    this.length = fileNames.length;
    this.imageSize = prep.imageSize;
    const crop = prep.centerCrop ? `centre crop ${prep.centerCrop}, ` : '';
    this.description = `image folder ${dir}: ${this.length} images → ${crop}3×${prep.imageSize}×${prep.imageSize}`;
  }

  /** `imageSize` defaults to 64. */
  static async open(opts: ImageFolderOptions): Promise<ImageFolderDataset> {
    const names = await listImageFiles(opts.path);
    return new ImageFolderDataset(opts.path, names, { imageSize: opts.imageSize ?? 64, centerCrop: opts.centerCrop });
  }

  /** Full path of image `index`. */
  filePath(index: number): string {
    checkIndex(index, this.length, 'ImageFolderDataset');
    return join(this.dir, this.fileNames[index]!);
  }

  async get(index: number): Promise<Float32Array> {
    const file = this.filePath(index);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (err) {
      throw new DataError(file, isNotFound(err) ? 'file not found (removed after the folder was listed?)' : `cannot read (${(err as Error).message})`, { cause: err });
    }
    return preprocess(await decodeImage(bytes, file), this.prep);
  }
}
