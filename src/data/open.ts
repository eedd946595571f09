/**
 * Pick and open a loader from a small spec, and guess the kind of a data set from its path. Node only.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { DataError, isNotFound } from './errors.js';
import type { ImageDataset } from './dataset.js';
import { DEFAULT_FASHION_MNIST_DIR, IdxImageDataset } from './idx.js';
import { Cifar10Dataset } from './cifar10.js';
import { ImageFolderDataset, isImageFileName } from './image-folder.js';
import { LsunLmdbDataset } from './lsun-lmdb.js';

export type DatasetKind = 'fashion-mnist' | 'cifar10' | 'folder' | 'lsun';
export const DATASET_KINDS: readonly DatasetKind[] = ['fashion-mnist', 'cifar10', 'folder', 'lsun'];

export interface DatasetSpec {
  /** Loader to use; guessed from `path` when omitted (see guessDatasetKind). */
  kind?: DatasetKind;
  /**
   * fashion-mnist: folder with {train,t10k}-images-idx3-ubyte[.gz] or one IDX file (default: Debian's
   * /usr/share/datasets/fashion-mnist); cifar10: the cifar-10-batches-bin folder or one .bin batch;
   * folder: a folder of images; lsun: an LMDB folder (with data.mdb) or the data.mdb file.
   */
  path?: string;
  /** Output side length. Default: 32 for fashion-mnist and cifar10, 64 for folder and lsun. */
  imageSize?: number;
  /** Optional centre crop (square side, source pixels) before resizing, e.g. 160 for CelebA. */
  centerCrop?: number;
}

/**
 * Guess the kind of data set at `path`:
 * - a folder with data_batch_1.bin or test_batch.bin → cifar10; with data.mdb → lsun; with an
 *   `*-images-idx3-ubyte[.gz]` file → fashion-mnist; with image files → folder;
 * - a file named *.mdb → lsun; *idx3-ubyte[.gz] → fashion-mnist; *.bin → cifar10.
 */
export async function guessDatasetKind(path: string): Promise<DatasetKind> {
  const st = await stat(path).catch((err: unknown) => {
    throw new DataError(path, isNotFound(err) ? 'not found' : `cannot access (${(err as Error).message})`, { cause: err });
  });
  if (st.isDirectory()) {
    const names = await readdir(path);
    const has = (n: string) => names.includes(n);
    if (has('data_batch_1.bin') || has('test_batch.bin')) return 'cifar10';
    if (has('data.mdb')) return 'lsun';
    if (names.some((n) => /-images-idx3-ubyte(\.gz)?$/.test(n))) return 'fashion-mnist';
    if (names.some(isImageFileName)) return 'folder';
    throw new DataError(path, 'cannot tell the data set kind: no CIFAR-10 batches, data.mdb, IDX image files or images in this folder');
  }
  const name = basename(path).toLowerCase();
  if (name.endsWith('.mdb')) return 'lsun';
  if (/idx3-ubyte(\.gz)?$/.test(name)) return 'fashion-mnist';
  if (name.endsWith('.bin')) return 'cifar10';
  throw new DataError(path, 'cannot tell the data set kind from this file name (expected *.mdb, *idx3-ubyte[.gz] or *.bin)');
}

/** Open the data set described by `spec` (Fashion-MNIST from Debian's package when nothing is given). */
export async function openDataset(spec: DatasetSpec = {}): Promise<ImageDataset> {
  let kind = spec.kind;
  if (kind === undefined) kind = spec.path === undefined ? 'fashion-mnist' : await guessDatasetKind(spec.path);
  const prep = { imageSize: spec.imageSize, centerCrop: spec.centerCrop };
  const need = (): string => {
    if (spec.path === undefined) throw new Error(`openDataset: kind '${kind}' needs a path`);
    return spec.path;
  };
  switch (kind) {
    case 'fashion-mnist':
      return IdxImageDataset.open({ ...prep, path: spec.path ?? DEFAULT_FASHION_MNIST_DIR });
    case 'cifar10':
      return Cifar10Dataset.open({ ...prep, path: need() });
    case 'folder':
      return ImageFolderDataset.open({ ...prep, path: need() });
    case 'lsun':
      return LsunLmdbDataset.open({ ...prep, path: need() });
    default:
      throw new Error(`openDataset: unknown kind '${String(kind)}'; expected one of ${DATASET_KINDS.join(', ')}`);
  }
}

