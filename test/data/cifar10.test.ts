import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CIFAR10_FILES, Cifar10Dataset } from '../../src/data/cifar10.js';
import { DataError } from '../../src/data/errors.js';
import { loadBatch } from '../../src/data/dataset.js';
import { px, useTempDir } from './helpers.js';

/**
 * A genuine CIFAR-10 binary batch: per record 1 label byte, then R, G, B planes of 32×32.
 * Record r: R = base + r, G = 2·r, B = 255 − r, except pixel (0, 31) whose R is 7 (to check orientation).
 */
function cifarBatch(records: number, base: number): Buffer {
  const buf = Buffer.alloc(records * 3073);
  for (let r = 0; r < records; r++) {
    const o = r * 3073;
    buf[o] = r % 10;
    buf.fill(base + r, o + 1, o + 1 + 1024);
    buf.fill(2 * r, o + 1 + 1024, o + 1 + 2048);
    buf.fill(255 - r, o + 1 + 2048, o + 1 + 3072);
    buf[o + 1 + 31] = 7; // row 0, column 31 of the red plane
  }
  return buf;
}

const tmp = useTempDir('cifar');

async function makeCifarDir(name: string, skip: string[] = []): Promise<string> {
  const dir = join(tmp(), name);
  await mkdir(dir);
  for (const [i, f] of CIFAR10_FILES.entries()) if (!skip.includes(f)) await writeFile(join(dir, f), cifarBatch(2 + (i % 2), 100 + 10 * i));
  return dir;
}

describe('CIFAR-10 binary', () => {
  it('concatenates data_batch_1..5 then test_batch and decodes channel-planar records', async () => {
    const dir = await makeCifarDir('ok');
    const ds = await Cifar10Dataset.open({ path: dir });
    try {
      // files have 2, 3, 2, 3, 2, 3 records
      expect(ds.length).toBe(15);
      expect(ds.imageSize).toBe(32);
      const starts = [0, 2, 5, 7, 10, 12];
      for (const [i, start] of starts.entries()) {
        for (let r = 0; r < 2; r++) {
          const img = await ds.get(start + r);
          expect(img.length).toBe(3 * 32 * 32);
          expect(px(img, 32, 0, 5, 5)).toBe(Math.fround((100 + 10 * i + r) / 255));
          expect(px(img, 32, 1, 31, 0)).toBe(Math.fround((2 * r) / 255));
          expect(px(img, 32, 2, 16, 16)).toBe(Math.fround((255 - r) / 255));
          expect(px(img, 32, 0, 0, 31)).toBe(Math.fround(7 / 255));
        }
      }
      const batch = await loadBatch(ds, [14, 0]);
      expect(batch[0]).toBe(Math.fround(152 / 255)); // test_batch record 2: 150 + 2
      await expect(ds.get(15)).rejects.toThrow(RangeError);
    } finally {
      await ds.close();
    }
  });

  it('reads the label byte of each record', async () => {
    const dir = await makeCifarDir('labels');
    const ds = await Cifar10Dataset.open({ path: dir });
    try {
      expect(ds.numClasses).toBe(10);
      // record r of each file has label r % 10; files hold 2, 3, 2, 3, 2, 3 records
      expect(await Promise.all([0, 1, 2, 3, 4, 14].map((i) => ds.label(i)))).toEqual([0, 1, 0, 1, 2, 2]);
      await expect(ds.label(15)).rejects.toThrow(RangeError);
    } finally {
      await ds.close();
    }
    const file = join(tmp(), 'badlabel.bin');
    const buf = cifarBatch(2, 0);
    buf[3073] = 10;
    await writeFile(file, buf);
    const bad = await Cifar10Dataset.open({ path: file });
    await expect(bad.label(1)).rejects.toThrow(/badlabel\.bin: record 1 has label 10, not a CIFAR-10 class/);
    await bad.close();
    await expect(bad.label(0)).rejects.toThrow(/label\(\) after close\(\)/);
  });

  it('resizes to another imageSize; reads a single batch file', async () => {
    const file = join(tmp(), 'single.bin');
    await writeFile(file, cifarBatch(4, 0));
    const ds = await Cifar10Dataset.open({ path: file, imageSize: 16 });
    expect(ds.length).toBe(4);
    const img = await ds.get(3);
    expect(img.length).toBe(3 * 16 * 16);
    expect(px(img, 16, 2, 8, 8)).toBeCloseTo(252 / 255, 6);
    await ds.close();
  });

  it('names the missing files', async () => {
    const dir = await makeCifarDir('missing', ['data_batch_3.bin', 'test_batch.bin']);
    const err = (await Cifar10Dataset.open({ path: dir }).catch((e: unknown) => e)) as DataError;
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toContain(join(dir, 'data_batch_3.bin'));
    expect(err.message).toMatch(/file not found.*lacks data_batch_3\.bin, test_batch\.bin/);
    await expect(Cifar10Dataset.open({ path: join(tmp(), 'no-such-dir') })).rejects.toThrow(/no-such-dir: not found/);
  });

  it('rejects a file whose length is not a multiple of 3073', async () => {
    const dir = await makeCifarDir('badsize');
    const file = join(dir, 'data_batch_2.bin');
    await writeFile(file, Buffer.concat([cifarBatch(2, 0), Buffer.alloc(100)]));
    const err = (await Cifar10Dataset.open({ path: dir }).catch((e: unknown) => e)) as DataError;
    expect(err).toBeInstanceOf(DataError);
    expect(err.path).toBe(file);
    expect(err.message).toBe(`${file}: wrong CIFAR-10 record size: file length 6246 is not a positive multiple of 3073 (1 label + 3072 pixel bytes)`);
    // the CIFAR-100 layout (2 label bytes, 3074-byte records) is caught the same way
    const c100 = join(tmp(), 'cifar100.bin');
    await writeFile(c100, Buffer.alloc(3074 * 3));
    await expect(Cifar10Dataset.open({ path: c100 })).rejects.toThrow(/cifar100\.bin: wrong CIFAR-10 record size/);
  });
});
