import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { LmdbReader } from '../../src/data/lmdb-reader.js';
import { LsunLmdbDataset } from '../../src/data/lsun-lmdb.js';
import { DataError } from '../../src/data/errors.js';
import { channelAll, useTempDir } from './helpers.js';

// The fixture is a genuine LMDB 0.9 (data format 1) file written by LMDB's mdb_load, as LSUN's are; see
// fixtures/make-lsun-fixture.mjs. Depth-2 tree (1 branch page, 8 leaves), 3 values in overflow pages.
const fixtureDir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'lsun-v1');

interface ManifestEntry {
  id: string;
  kind: 'solid' | 'noise' | 'garbage';
  format: string;
  rgb?: number[];
  mean?: number[];
  key: string;
  bytes: number;
  sha256: string;
}

const tmp = useTempDir('lsun');
let env = '';
let entries: ManifestEntry[] = [];
let dataMdb: Buffer;

beforeAll(async () => {
  entries = JSON.parse(await readFile(join(fixtureDir, 'manifest.json'), 'utf8')).entries;
  dataMdb = gunzipSync(await readFile(join(fixtureDir, 'data.mdb.gz')));
  env = join(tmp(), 'bedroom_train_lmdb');
  await mkdir(env);
  await writeFile(join(env, 'data.mdb'), dataMdb);
});

/** Write a modified copy of the fixture's data.mdb into its own folder; returns the file path. */
async function variant(name: string, bytes: Uint8Array): Promise<string> {
  const dir = join(tmp(), name);
  await mkdir(dir);
  await writeFile(join(dir, 'data.mdb'), bytes);
  return join(dir, 'data.mdb');
}

describe('LmdbReader (LMDB data format 1)', () => {
  it('reads every key and value of the fixture in key order (inline and overflow values)', async () => {
    const db = await LmdbReader.open(env);
    try {
      expect(db.length).toBe(entries.length);
      expect(db.pageSize).toBe(4096);
      for (const [i, e] of entries.entries()) {
        const { key, value } = await db.entryAt(i);
        expect(key.toString('latin1')).toBe(e.key);
        expect(value.length).toBe(e.bytes);
        expect(createHash('sha256').update(value).digest('hex').slice(0, 16)).toBe(e.sha256);
      }
      expect(entries.filter((e) => e.bytes > 2000).length).toBe(3); // overflow pages were exercised
      await expect(db.entryAt(entries.length)).rejects.toThrow(RangeError);
    } finally {
      await db.close();
    }
  });

  it('accepts the data.mdb file itself as the path', async () => {
    const db = await LmdbReader.open(join(env, 'data.mdb'));
    expect((await db.keyAt(3)).toString('latin1')).toBe(entries[3]!.key);
    await db.close();
  });
});

describe('LSUN LMDB data set', () => {
  it('decodes the encoded images (WebP, PNG, JPEG) to their colours', async () => {
    const ds = await LsunLmdbDataset.open({ path: env, imageSize: 4 });
    try {
      expect(ds.length).toBe(entries.length);
      expect(ds.imageSize).toBe(4);
      expect(ds.description).toContain(env);
      for (const [i, e] of entries.entries()) {
        if (e.kind === 'garbage') continue;
        const img = await ds.get(i);
        expect(img.length).toBe(3 * 16);
        expect(await ds.key(i)).toBe(e.key);
        if (e.kind === 'solid') {
          const tol = e.format === 'jpeg' ? 3 / 255 : 1e-6;
          for (let c = 0; c < 3; c++) expect(channelAll(img, 4, c, e.rgb![c]! / 255, tol)).toBe(true);
        } else {
          // uniform noise: the mean of the downscaled centre stays near the whole image's mean
          for (let c = 0; c < 3; c++) {
            const plane = img.subarray(c * 16, (c + 1) * 16);
            const mean = plane.reduce((s, v) => s + v, 0) / 16;
            expect(Math.abs(mean - e.mean![c]! / 255)).toBeLessThan(0.08);
          }
        }
      }
    } finally {
      await ds.close();
    }
  });

  it('names the database and key of an undecodable value', async () => {
    const ds = await LsunLmdbDataset.open({ path: env });
    const i = entries.findIndex((e) => e.kind === 'garbage');
    const err = (await ds.get(i).catch((e: unknown) => e)) as DataError;
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toContain(join(env, 'data.mdb'));
    expect(err.message).toContain(`key ${entries[i]!.key}`);
    expect(err.message).toMatch(/cannot decode image/);
    await ds.close();
  });

  it('reports a missing path and a folder without data.mdb', async () => {
    const missing = join(tmp(), 'nothing-here');
    await expect(LsunLmdbDataset.open({ path: missing })).rejects.toThrow(`${missing}: not found`);
    const empty = join(tmp(), 'no-mdb');
    await mkdir(empty);
    await expect(LsunLmdbDataset.open({ path: empty })).rejects.toThrow(`${empty}: not an LMDB environment: the folder has no data.mdb`);
  });

  it('reports a file that is not an LMDB', async () => {
    const junk = await variant('junk', Buffer.alloc(8192, 0x41));
    await expect(LsunLmdbDataset.open({ path: junk })).rejects.toThrow(`${junk}: not an LMDB file (meta page 0 has magic 0x41414141`);
    const tiny = await variant('tiny', Buffer.from('hello'));
    await expect(LsunLmdbDataset.open({ path: tiny })).rejects.toThrow(`${tiny}: not an LMDB file: only 5 bytes`);
  });

  it('reports a truncated LMDB file', async () => {
    const cut = await variant('truncated', dataMdb.subarray(0, 5 * 4096));
    await expect(LsunLmdbDataset.open({ path: cut })).rejects.toThrow(new RegExp(`^${cut}: truncated or corrupt LMDB: page \\d+ .*beyond the end of the 20480-byte file`));
  });

  it('reports the data format version 2 of the npm "lmdb" package instead of misreading it', async () => {
    const v2 = Buffer.from(dataMdb);
    v2.writeUInt32LE(2, 20); // version field of both meta pages
    v2.writeUInt32LE(2, 4096 + 20);
    const file = await variant('v2', v2);
    await expect(LsunLmdbDataset.open({ path: file })).rejects.toThrow(`${file}: unsupported LMDB data format version 2`);
  });

  it('reports an empty database', async () => {
    // An empty environment: same meta pages with 0 entries and no root.
    const empty = Buffer.from(dataMdb.subarray(0, 2 * 4096));
    for (const base of [0, 4096]) {
      empty.writeBigUInt64LE(0n, base + 16 + 24 + 48 + 32); // main DB entries
      empty.writeBigUInt64LE(0xffffffffffffffffn, base + 16 + 24 + 48 + 40); // main DB root
    }
    const file = await variant('empty', empty);
    await expect(LsunLmdbDataset.open({ path: file })).rejects.toThrow(`${file}: the LMDB database has no entries`);
  });

  // needs LMDB's own mdb_load (Debian's lmdb-utils, installed by `npm run setup`)
  it('reads an LMDB written now by LMDB\'s own mdb_load (lmdb-utils)', async () => {
    try {
      execFileSync('mdb_load', ['-V'], { stdio: 'ignore' });
    } catch {
      throw new Error('mdb_load (Debian package lmdb-utils) is missing: run `npm run setup`');
    }
    const images = [
      ['img-b', await sharp({ create: { width: 50, height: 30, channels: 3, background: { r: 0, g: 128, b: 255 } } }).webp({ lossless: true }).toBuffer()],
      ['img-a', await sharp({ create: { width: 30, height: 50, channels: 3, background: { r: 250, g: 5, b: 60 } } }).png().toBuffer()],
    ] as const;
    const lines = ['VERSION=3', 'format=bytevalue', 'type=btree', 'HEADER=END'];
    for (const [k, v] of images) lines.push(' ' + Buffer.from(k).toString('hex'), ' ' + v.toString('hex'));
    lines.push('DATA=END', '');
    const dir = join(tmp(), 'fresh');
    await mkdir(dir);
    await writeFile(join(tmp(), 'fresh.dump'), lines.join('\n'));
    execFileSync('mdb_load', ['-f', join(tmp(), 'fresh.dump'), dir]);
    const ds = await LsunLmdbDataset.open({ path: dir, imageSize: 8 });
    expect(ds.length).toBe(2);
    expect(await ds.key(0)).toBe('img-a'); // key order
    const a = await ds.get(0);
    expect([channelAll(a, 8, 0, 250 / 255), channelAll(a, 8, 1, 5 / 255), channelAll(a, 8, 2, 60 / 255)]).toEqual([true, true, true]);
    const b = await ds.get(1);
    expect([channelAll(b, 8, 0, 0), channelAll(b, 8, 1, 128 / 255), channelAll(b, 8, 2, 1)]).toEqual([true, true, true]);
    await ds.close();
    // and a copy of just data.mdb (no lock file) opens too
    await copyFile(join(dir, 'data.mdb'), join(tmp(), 'fresh-copy.mdb'));
    const db = await LmdbReader.open(join(tmp(), 'fresh-copy.mdb'));
    expect(db.length).toBe(2);
    await db.close();
  });
});
