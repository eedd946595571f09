/**
 * Run folders without the GPU: what holds a run, --force moving it aside, paths stored relative to the run,
 * log truncation, stale temp files of interrupted writes, and skipping undecodable images.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configFromCheckpoint, holdsRun, prepareNewRunFolder, RUN_RELATIVE, storedConfig } from '../../src/train/run-folder.js';
import { truncateLog } from '../../src/train/run-log.js';
import { removeStaleTempFiles } from '../../src/io/atomic-write.js';
import { SkippingLoader, TooManyBadFilesError } from '../../src/train/bad-files.js';
import { DataError } from '../../src/data/errors.js';
import { DEFAULTS } from '../../src/train/config.js';
import type { ImageDataset } from '../../src/data/dataset.js';

const root = mkdtempSync(join(tmpdir(), 'wngan-runfolder-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => {
  const d = join(root, `case${n++}`);
  mkdirSync(d);
  return d;
};

describe('run folders', () => {
  it('a folder holds a run when it has a checkpoint, samples or log lines; --force moves it aside', async () => {
    const d = fresh();
    const run = join(d, 'run');
    expect(await holdsRun(run)).toBe(false);
    mkdirSync(join(run, 'samples'), { recursive: true });
    writeFileSync(join(run, 'config.json'), '{}');
    writeFileSync(join(run, 'log.jsonl'), '');
    expect(await holdsRun(run)).toBe(false); // stopped before its first iteration: nothing to lose
    expect(await prepareNewRunFolder(run, false)).toBeNull();
    writeFileSync(join(run, 'log.jsonl'), '{"type":"train","iter":1}\n');
    expect(await holdsRun(run)).toBe(true);
    await expect(prepareNewRunFolder(run, false)).rejects.toThrow(/already holds a run.*--resume.*--force/);
    expect(await prepareNewRunFolder(run, true)).toBe(`${run}.old-1`);
    mkdirSync(run);
    writeFileSync(join(run, 'last.safetensors'), 'x');
    expect(await prepareNewRunFolder(run, true)).toBe(`${run}.old-2`);
    expect(readdirSync(d).sort()).toEqual(['run.old-1', 'run.old-2']);
    expect(readFileSync(join(d, 'run.old-1', 'log.jsonl'), 'utf8')).toContain('"iter":1');
  });

  it('stores paths relative to the run folder and finds them again from a moved run or a copied checkpoint', () => {
    const d = fresh();
    mkdirSync(join(d, 'data'));
    const config = { ...DEFAULTS, out: join(d, 'runs', 'a'), data: { kind: 'cifar10' as const, path: join(d, 'data') } };
    const stored = storedConfig(config);
    expect(stored).toMatchObject({ out: '.', data: { kind: 'cifar10', path: '../../data' } });
    const meta = { iteration: 5, config: stored, paths: RUN_RELATIVE, runFolder: resolve(config.out) };
    // the run read from where it was written
    expect(configFromCheckpoint(meta, join(config.out, 'last.safetensors'))).toMatchObject({ out: resolve(config.out), data: { path: join(d, 'data') } });
    // a checkpoint copied somewhere else: its relative path does not resolve there, the run's folder does
    expect(configFromCheckpoint(meta, join(d, 'elsewhere', 'deep', 'copy.safetensors')).data.path).toBe(join(d, 'data'));
    // an older checkpoint: paths relative to the working directory, fields added since then get their defaults
    const { maxBadFiles: _, ...old } = { ...config, data: { path: 'rel/data' } };
    const legacy = configFromCheckpoint({ iteration: 1, config: old }, join(d, 'x', 'last.safetensors'));
    expect(legacy).toMatchObject({ data: { path: 'rel/data' }, out: join(d, 'x'), maxBadFiles: DEFAULTS.maxBadFiles });
  });
});

describe('log.jsonl truncation', () => {
  it('drops the lines of later iterations and a torn last line, keeps events without an iteration and those asked for', async () => {
    const path = join(fresh(), 'log.jsonl');
    const lines = [
      { type: 'train', iter: 1 }, { type: 'note' }, { type: 'train', iter: 2 }, { type: 'recon', iter: 2 },
      { type: 'train', iter: 3 }, { type: 'diverged', iter: 4 }, { type: 'quality', iter: 3 },
    ].map((e) => JSON.stringify(e));
    writeFileSync(path, lines.join('\n') + '\n{"type":"train","it');
    expect(await truncateLog(path, 2, (e) => e.type === 'diverged')).toBe(3);
    expect(readFileSync(path, 'utf8')).toBe([lines[0], lines[1], lines[2], lines[3], lines[5]].join('\n') + '\n');
    expect(await truncateLog(path, 5)).toBe(0);
    expect(await truncateLog(join(root, 'missing.jsonl'), 0)).toBe(0);
  });
});

describe('stale temp files', () => {
  it('removes the temp files of dead processes only', async () => {
    const d = fresh();
    // a process that has exited: its pid is free (reuse within this test is unlikely enough)
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const stale = `.last.safetensors.${dead}.0123456789ab.tmp`;
    const mine = `.last.safetensors.${process.pid}.0123456789ab.tmp`;
    for (const f of [stale, mine, 'last.safetensors', 'notes.tmp']) writeFileSync(join(d, f), 'x');
    expect(await removeStaleTempFiles(d)).toEqual([stale]);
    expect(readdirSync(d).sort()).toEqual([mine, 'last.safetensors', 'notes.tmp'].sort());
    expect(await removeStaleTempFiles(join(d, 'missing'))).toEqual([]);
  });
});

describe('SkippingLoader', () => {
  const ds = (bad: number[], length = 10): ImageDataset => ({
    length, channels: 3, imageSize: 1, description: 'fake',
    get: async (i) => {
      if (bad.includes(i)) throw new DataError(`img${i}.jpg`, 'cannot decode image (broken)');
      return Float32Array.of(i, i, i);
    },
  });

  it('replaces a bad image by the next good one of the pool, reporting each bad file once', async () => {
    const found: string[] = [];
    const l = new SkippingLoader(ds([3, 4], 100), 5, (f) => void found.push(`${f.path}: ${f.reason}`));
    const pool = [7, 3, 4, 5, 9];
    expect([...await l.loadBatch([3, 9], pool)]).toEqual([5, 5, 5, 9, 9, 9]);
    expect([...await l.loadBatch([4, 3], pool)]).toEqual([5, 5, 5, 5, 5, 5]);
    expect(found).toEqual(['img3.jpg: cannot decode image (broken)', 'img4.jpg: cannot decode image (broken)']);
    // the last of the pool wraps around to its start
    expect([...await new SkippingLoader(ds([9], 100), 5, () => {}).loadBatch([9], pool)]).toEqual([7, 7, 7]);
  });

  it('stops when the share of bad files exceeds the limit', async () => {
    const l = new SkippingLoader(ds([1, 2]), 10, () => {});
    await l.loadBatch([1], [0, 1, 3]); // 1 of 10 = 10%: allowed
    await expect(l.loadBatch([2], [0, 1, 2, 3])).rejects.toThrow(TooManyBadFilesError);
    await expect(new SkippingLoader(ds([1]), 0, () => {}).loadBatch([1], [1, 2])).rejects.toThrow(/1 of 10 images \(10\.00%\) .* more than --max-bad-files 0% allows; the latest: img1\.jpg: cannot decode/);
    // other errors are not about the data: they pass through
    const broken: ImageDataset = { ...ds([]), get: async () => { throw new RangeError('bug'); } };
    await expect(new SkippingLoader(broken, 50, () => {}).loadBatch([0], [0])).rejects.toThrow('bug');
    expect(existsSync(root)).toBe(true);
  });
});
