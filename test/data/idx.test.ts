import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FASHION_MNIST_DIR, IdxImageDataset, parseIdx } from '../../src/data/idx.js';
import { DataError } from '../../src/data/errors.js';
import { loadBatch } from '../../src/data/dataset.js';
import { channelAll, px, useTempDir } from './helpers.js';

/** Genuine IDX bytes: magic 0x00000803 (or `magic`), big-endian dims, then pixels. */
function idxBytes(dims: number[], pixels: Uint8Array, magic = 0x00000800 + dims.length): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + pixels.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(pixels, 4 + 4 * dims.length);
  return out;
}

/** `n` 28×28 images; image k is solid `values[k]` except pixel (0, 0) which is 255. */
function images(values: number[]): Uint8Array {
  const px = new Uint8Array(values.length * 784);
  values.forEach((v, k) => {
    px.fill(v, k * 784, (k + 1) * 784);
    px[k * 784] = 255;
  });
  return px;
}

const tmp = useTempDir('idx');

describe('IDX / Fashion-MNIST', () => {
  it('reads train (gzip) + t10k (raw) from a folder, in that order, grayscale → 3 channels', async () => {
    const dir = join(tmp(), 'fmnist');
    await mkdir(dir);
    await writeFile(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(idxBytes([3, 28, 28], images([0, 40, 80]))));
    await writeFile(join(dir, 't10k-images-idx3-ubyte'), idxBytes([2, 28, 28], images([120, 160])));
    const ds = await IdxImageDataset.open({ path: dir, imageSize: 28 });
    expect(ds.length).toBe(5);
    expect(ds.channels).toBe(3);
    expect(ds.imageSize).toBe(28);
    expect(ds.description).toContain(dir);
    for (let k = 0; k < 5; k++) {
      const img = await ds.get(k);
      expect(img.length).toBe(3 * 28 * 28);
      for (let c = 0; c < 3; c++) {
        expect(px(img, 28, c, 0, 0)).toBe(1);
        expect(px(img, 28, c, 27, 27)).toBe(Math.fround((k * 40) / 255));
      }
    }
    await expect(ds.get(5)).rejects.toThrow(RangeError);
  });

  it('resizes 28 → 32 (default size); a solid image stays solid', async () => {
    const file = join(tmp(), 'solid-idx3-ubyte.gz');
    const pixels = new Uint8Array(2 * 784).fill(200);
    await writeFile(file, gzipSync(idxBytes([2, 28, 28], pixels)));
    const ds = await IdxImageDataset.open({ path: file });
    expect(ds.imageSize).toBe(32);
    const batch = await loadBatch(ds, [1, 0]);
    expect(batch.length).toBe(2 * 3 * 32 * 32);
    for (let c = 0; c < 6; c++) expect(channelAll(batch.subarray(c * 1024), 32, 0, 200 / 255, 1e-6)).toBe(true);
  });

  it('parses other IDX shapes with parseIdx and validates them', () => {
    const labels = idxBytes([4], Uint8Array.from([1, 2, 3, 4]));
    expect(parseIdx(labels, 'labels').dims).toEqual([4]);
    expect(() => parseIdx(labels, 'labels', 3)).toThrow(/labels: wrong IDX magic number 0x00000801: expected 0x00000803/);
  });

  const bad: [string, () => Uint8Array | Buffer, RegExp][] = [
    ['wrong magic (a labels file)', () => idxBytes([3], Uint8Array.from([1, 2, 3])), /wrong IDX magic number 0x00000801/],
    ['not IDX at all', () => Buffer.from('PK\x03\x04 a zip file, not IDX'), /not an IDX file: bad magic number 0x504b0304/],
    ['non-byte element type', () => idxBytes([1, 28, 28], new Uint8Array(784), 0x00000d03), /unsupported IDX element type 0xd/],
    ['truncated data', () => idxBytes([3, 28, 28], images([1, 2, 3])).subarray(0, 16 + 784 * 2 + 5), /truncated IDX file: header says 3×28×28 \(2368 bytes\) but it has 1589/],
    ['extra bytes', () => Buffer.concat([idxBytes([1, 28, 28], images([1])), Buffer.alloc(3)]), /length mismatch: header says 1×28×28 \(800 bytes\) but it has 803/],
    ['truncated header', () => idxBytes([3, 28, 28], new Uint8Array(0)).subarray(0, 9), /truncated IDX header/],
    ['corrupt gzip', () => gzipSync(idxBytes([1, 28, 28], images([1]))).subarray(0, 30), /corrupt or truncated gzip/],
  ];
  for (const [what, make, message] of bad) {
    it(`reports ${what} with the file name`, async () => {
      const file = join(tmp(), `bad-${what.replace(/\W+/g, '-')}-idx3-ubyte`);
      await writeFile(file, make());
      const err = await IdxImageDataset.open({ path: file }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DataError);
      expect((err as DataError).path).toBe(file);
      expect((err as Error).message).toContain(file);
      expect((err as Error).message).toMatch(message);
    });
  }

  it('reports a missing file or folder, and a folder without the IDX files', async () => {
    const missing = join(tmp(), 'nope');
    await expect(IdxImageDataset.open({ path: missing })).rejects.toThrow(`${missing}: not found`);
    const empty = join(tmp(), 'empty-fmnist');
    await mkdir(empty);
    await expect(IdxImageDataset.open({ path: empty })).rejects.toThrow(
      `${join(empty, 'train-images-idx3-ubyte.gz')}: file not found`,
    );
  });

  it('rejects mismatched image sizes between train and t10k', async () => {
    const dir = join(tmp(), 'mixed');
    await mkdir(dir);
    await writeFile(join(dir, 'train-images-idx3-ubyte'), idxBytes([1, 28, 28], images([1])));
    await writeFile(join(dir, 't10k-images-idx3-ubyte'), idxBytes([1, 14, 14], new Uint8Array(196)));
    await expect(IdxImageDataset.open({ path: dir })).rejects.toThrow(/t10k-images-idx3-ubyte: images are 14×14/);
  });

  it('reads the labels beside the images, train then t10k, gzip or not', async () => {
    const dir = join(tmp(), 'labelled');
    await mkdir(dir);
    await writeFile(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(idxBytes([3, 28, 28], images([0, 40, 80]))));
    await writeFile(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(idxBytes([3], Uint8Array.from([4, 0, 2]))));
    await writeFile(join(dir, 't10k-images-idx3-ubyte'), idxBytes([2, 28, 28], images([120, 160])));
    await writeFile(join(dir, 't10k-labels-idx1-ubyte'), idxBytes([2], Uint8Array.from([1, 3])));
    const ds = await IdxImageDataset.open({ path: dir });
    expect(ds.numClasses).toBe(5);
    expect(await Promise.all([0, 1, 2, 3, 4].map((i) => ds.label(i)))).toEqual([4, 0, 2, 1, 3]);
    await expect(ds.label(5)).rejects.toThrow(RangeError);
    // a single image file finds its own labels file
    const single = await IdxImageDataset.open({ path: join(dir, 't10k-images-idx3-ubyte') });
    expect(await single.label(1)).toBe(3);
  });

  it('names the missing or mismatched labels file', async () => {
    const dir = join(tmp(), 'unlabelled');
    await mkdir(dir);
    await writeFile(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(idxBytes([2, 28, 28], images([0, 40]))));
    await writeFile(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(idxBytes([2], Uint8Array.from([1, 2]))));
    await writeFile(join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(idxBytes([1, 28, 28], images([9]))));
    const ds = await IdxImageDataset.open({ path: dir }); // images alone still open (a GAN needs no labels)
    expect(ds.numClasses).toBeUndefined();
    const err = (await ds.label(0).catch((e: unknown) => e)) as DataError;
    expect(err).toBeInstanceOf(DataError);
    expect(err.path).toBe(join(dir, 't10k-labels-idx1-ubyte.gz'));
    expect(err.message).toMatch(/t10k-labels-idx1-ubyte\.gz: labels file not found/);

    await writeFile(join(dir, 't10k-labels-idx1-ubyte'), idxBytes([3], Uint8Array.from([1, 2, 3])));
    await expect(IdxImageDataset.open({ path: dir })).rejects.toThrow(/t10k-labels-idx1-ubyte: 3 labels for the 1 images of .*t10k-images-idx3-ubyte\.gz/);
    await writeFile(join(dir, 't10k-labels-idx1-ubyte'), idxBytes([1, 28, 28], images([9])));
    await expect(IdxImageDataset.open({ path: dir })).rejects.toThrow(/t10k-labels-idx1-ubyte: wrong IDX magic number 0x00000803: expected 0x00000801/);

    const odd = join(tmp(), 'odd-name.idx');
    await writeFile(odd, idxBytes([1, 28, 28], images([9])));
    await expect((await IdxImageDataset.open({ path: odd })).label(0)).rejects.toThrow(/odd-name\.idx: no class labels/);
  });

  it("reads the real Fashion-MNIST from Debian's dataset-fashion-mnist (70000 images)", async () => {
    const ds = await IdxImageDataset.open(); // default: /usr/share/datasets/fashion-mnist
    expect(ds.description).toContain(DEFAULT_FASHION_MNIST_DIR);
    expect(ds.length).toBe(70_000);
    const first = await ds.get(0);
    expect(first.length).toBe(3 * 32 * 32);
    expect(first.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(Math.max(...first)).toBeGreaterThan(0.5); // an actual garment, not a blank
    expect(first.subarray(0, 1024)).toEqual(first.subarray(2048)); // grayscale: R = B
    expect(ds.numClasses).toBe(10);
    expect([await ds.label(0), await ds.label(1), await ds.label(60_000), await ds.label(60_002)]).toEqual([9, 0, 9, 1]);
    const last = await ds.get(69_999);
    expect(last.every((v) => v >= 0 && v <= 1)).toBe(true);
  });
});
