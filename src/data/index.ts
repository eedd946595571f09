/**
 * The data layer: image data sets (Fashion-MNIST IDX, CIFAR-10 binary, image folders, LSUN LMDB), the
 * paper's preprocessing, train/test split and a resumable batch sampler.
 *
 * Node only through this entry point (file access, sharp). The pure parts — dataset.ts, preprocess.ts,
 * split.ts, sampler.ts and ../util/rng.ts — can be imported directly in a browser build.
 */
export { DataError } from './errors.js';
export { type ImageDataset, loadBatch } from './dataset.js';
export { type RawImage, type PreprocessOptions, preprocess, resizedSize, centerOffset } from './preprocess.js';
export { decodeImage } from './decode.js';
export { parseIdx, readIdxImages, IdxImageDataset, DEFAULT_FASHION_MNIST_DIR, type FashionMnistOptions } from './idx.js';
export { Cifar10Dataset, CIFAR10_FILES, CIFAR10_RECORD_BYTES, type Cifar10Options } from './cifar10.js';
export { ImageFolderDataset, listImageFiles, IMAGE_EXTENSIONS, type ImageFolderOptions } from './image-folder.js';
export { LmdbReader } from './lmdb-reader.js';
export { LsunLmdbDataset, type LsunOptions } from './lsun-lmdb.js';
export { splitIndices, type DataSplit, type SplitOptions } from './split.js';
export { EpochSampler } from './sampler.js';
export { openDataset, guessDatasetKind, DATASET_KINDS, type DatasetKind, type DatasetSpec } from './open.js';
