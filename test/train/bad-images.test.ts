/**
 * A folder of images with two that do not decode (garbage, and a JPEG cut short): `wngan check-data` lists them; training skips them with a
 * warning each and counts them in the log; with a lower --max-bad-files it stops with a checkpoint.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCli, type Cli } from '../helpers/cli.js';
import { readCheckpointMeta } from '../../src/train/checkpoint.js';

let c: Cli;
let folder = '';
beforeAll(async () => {
  c = await makeCli('wngan-bad');
  folder = join(c.dir, 'images');
  mkdirSync(folder);
  for (let i = 0; i < 30; i++) {
    const px = Buffer.alloc(16 * 16 * 3);
    for (let p = 0; p < px.length; p++) px[p] = (p * (i + 3) + i * 37) & 255;
    await sharp(px, { raw: { width: 16, height: 16, channels: 3 } }).png().toFile(join(folder, `img_${String(i).padStart(2, '0')}.png`));
  }
  writeFileSync(join(folder, 'img_bad.jpg'), Buffer.from('not a JPEG at all'));
  // a JPEG cut short, as an interrupted download leaves it
  const px = Buffer.alloc(16 * 16 * 3, 128);
  const jpg = await sharp(px, { raw: { width: 16, height: 16, channels: 3 } }).jpeg().toBuffer();
  writeFileSync(join(folder, 'img_cut.jpg'), jpg.subarray(0, Math.floor(jpg.length * 0.8)));
});
afterAll(() => c?.cleanup());

// 32 files: 4 held out (all of them the running test, which the end of training reads), 28 to train on in
// batches of 4, so 7 iterations read every training image
const flags = (out: string, extra: string[]) => ['--data', folder, '--image-size', '16', '--width', '4', '--code-size', '8', '--batch', '4',
  '--final-test', '4', '--running-test', '4', '--recon-steps', '1', '--recon-every', '1000', '--sample-every', '1000', '--iterations', '8', '--out', out, ...extra];

describe('bad images', () => {
  it('check-data lists the files that do not decode', () => {
    const r = c.run(['check-data', '--data', folder, '--image-size', '16']);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/32 images, 2 cannot be read or decoded \(6\.25%\)/);
    expect(r.stdout).toContain(join(folder, 'img_bad.jpg'));
    expect(r.stdout).toContain(join(folder, 'img_cut.jpg'));
    expect(r.stdout).toMatch(/training would stop: more than --max-bad-files 1%/);
    const ok = c.run(['check-data', '--data', c.data, '--image-size', '16', '--json']);
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ images: 40, bad: [] });
  });

  it('training skips them with a warning each, counted in the log', () => {
    const out = join(c.dir, 'skip');
    const r = c.run(['train', ...flags(out, ['--max-bad-files', '10'])]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr.match(/warning: skipping an image that cannot be used/g)).toHaveLength(2);
    expect(r.stderr).toContain('2 unusable image(s) skipped');
    const log = readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const bad = log.filter((e) => e.type === 'bad-file');
    expect(bad.map((e) => e.count)).toEqual([1, 2]);
    expect(bad.map((e) => e.path).sort()).toEqual([join(folder, 'img_bad.jpg'), join(folder, 'img_cut.jpg')]);
    expect(log.filter((e) => e.type === 'train')).toHaveLength(8);
  });

  it('above --max-bad-files the run stops, with a checkpoint of the iterations done', async () => {
    const out = join(c.dir, 'strict');
    const r = c.run(['train', ...flags(out, ['--max-bad-files', '0', '--checkpoint-every', '1000'])]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/1 of 32 images \(3\.13%\) could not be read or decoded, more than --max-bad-files 0% allows/);
    // (with this seed a bad image is first drawn after the first iteration) what was trained is kept, and can continue
    const m = /Stopped at iteration (\d+), checkpoint written/.exec(r.stderr);
    expect(m, r.stderr).toBeTruthy();
    expect((await readCheckpointMeta(join(out, 'last.safetensors'))).iteration).toBe(Number(m![1]));
    const more = c.run(['train', '--resume', out, '--max-bad-files', '10']);
    expect(more.status, more.stderr).toBe(0);
    expect(more.stderr).toContain('finished at iteration 8');
    const log = readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log.filter((e) => e.type === 'train').map((e) => e.iter)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(log.filter((e) => e.type === 'bad-file').map((e) => e.count)).toEqual([1, 2]);
  });
});
