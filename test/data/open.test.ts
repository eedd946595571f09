import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { guessDatasetKind, openDataset } from '../../src/data/open.js';
import { CIFAR10_FILES } from '../../src/data/cifar10.js';
import { DataError } from '../../src/data/errors.js';
import { useTempDir } from './helpers.js';

const tmp = useTempDir('open');
const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'lsun-v1', 'data.mdb.gz');
const dirs: Record<string, string> = {};

beforeAll(async () => {
  const root = tmp();
  dirs.cifar = join(root, 'cifar-10-batches-bin');
  await mkdir(dirs.cifar);
  for (const f of CIFAR10_FILES) await writeFile(join(dirs.cifar, f), Buffer.alloc(3073 * 2, 9));
  dirs.lsun = join(root, 'bedroom_train_lmdb');
  await mkdir(dirs.lsun);
  await writeFile(join(dirs.lsun, 'data.mdb'), gunzipSync(await readFile(fixture)));
  dirs.folder = join(root, 'img_align_celeba');
  await mkdir(dirs.folder);
  await sharp({ create: { width: 178, height: 218, channels: 3, background: '#808080' } }).jpeg().toFile(join(dirs.folder, '000001.jpg'));
  dirs.idx = join(root, 'fmnist');
  await mkdir(dirs.idx);
  const idx = Buffer.alloc(16 + 784);
  idx.writeUInt32BE(0x803, 0);
  idx.writeUInt32BE(1, 4);
  idx.writeUInt32BE(28, 8);
  idx.writeUInt32BE(28, 12);
  await writeFile(join(dirs.idx, 'train-images-idx3-ubyte'), idx);
  await writeFile(join(dirs.idx, 't10k-images-idx3-ubyte'), idx);
  dirs.nothing = join(root, 'nothing');
  await mkdir(dirs.nothing);
});

describe('openDataset / guessDatasetKind', () => {
  it('guesses the kind from folders and file names', async () => {
    expect(await guessDatasetKind(dirs.cifar!)).toBe('cifar10');
    expect(await guessDatasetKind(join(dirs.cifar!, 'test_batch.bin'))).toBe('cifar10');
    expect(await guessDatasetKind(dirs.lsun!)).toBe('lsun');
    expect(await guessDatasetKind(join(dirs.lsun!, 'data.mdb'))).toBe('lsun');
    expect(await guessDatasetKind(dirs.folder!)).toBe('folder');
    expect(await guessDatasetKind(dirs.idx!)).toBe('fashion-mnist');
    expect(await guessDatasetKind(join(dirs.idx!, 'train-images-idx3-ubyte'))).toBe('fashion-mnist');
    await expect(guessDatasetKind(dirs.nothing!)).rejects.toThrow(`${dirs.nothing}: cannot tell the data set kind`);
    await expect(guessDatasetKind(join(dirs.nothing!, 'x'))).rejects.toThrow(DataError);
  });

  it('opens each kind with its default image size', async () => {
    const cases = [
      [{ path: dirs.cifar }, 'CIFAR-10', 12, 32],
      [{ path: dirs.lsun }, 'LSUN', 224, 64],
      [{ path: dirs.folder, centerCrop: 160 }, 'image folder', 1, 64],
      [{ path: dirs.idx, imageSize: 16 }, 'IDX', 2, 16],
      [{ kind: 'folder' as const, path: dirs.folder, imageSize: 8 }, 'image folder', 1, 8],
    ] as const;
    for (const [spec, what, length, size] of cases) {
      const ds = await openDataset(spec);
      expect(ds.description).toContain(what);
      expect([ds.length, ds.imageSize, ds.channels]).toEqual([length, size, 3]);
      expect((await ds.get(0)).length).toBe(3 * size * size);
      await ds.close?.();
    }
  });

  it('needs a path for kinds other than fashion-mnist, and a known kind', async () => {
    // (fashion-mnist without a path opens Debian's copy; idx.test.ts reads that one)
    const ds = await openDataset({ kind: 'fashion-mnist', path: dirs.idx });
    expect(ds.length).toBe(2);
    await expect(openDataset({ kind: 'cifar10' })).rejects.toThrow(/needs a path/);
    await expect(openDataset({ kind: 'nope' as never, path: dirs.cifar })).rejects.toThrow(/unknown kind/);
  });
});
