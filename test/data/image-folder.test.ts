import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { ImageFolderDataset } from '../../src/data/image-folder.js';
import { DataError } from '../../src/data/errors.js';
import { decodeImage } from '../../src/data/decode.js';
import { channelAll, px, useTempDir } from './helpers.js';

const tmp = useTempDir('folder');

function solid(width: number, height: number, r: number, g: number, b: number, alpha = 1) {
  const channels = alpha === 1 ? 3 : 4;
  return sharp({ create: { width, height, channels, background: { r, g, b, alpha } } });
}

/** width×height, left half (x < width/2) colour a, right half colour b, as raw RGB for sharp. */
function halves(width: number, height: number, a: number[], b: number[]) {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) raw.set(x < width / 2 ? a : b, (y * width + x) * 3);
  return sharp(raw, { raw: { width, height, channels: 3 } });
}

let dir = '';
beforeAll(async () => {
  dir = join(tmp(), 'images');
  await mkdir(dir);
  await mkdir(join(dir, 'subfolder.png')); // a folder, not an image: ignored
  await solid(40, 30, 255, 0, 0).png().toFile(join(dir, 'a_red.png'));
  await solid(20, 20, 0, 0, 255).jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toFile(join(dir, 'b_blue.JPG'));
  await sharp(Buffer.alloc(64, 77), { raw: { width: 8, height: 8, channels: 1 } }).toColourspace('b-w').png().toFile(join(dir, 'c_gray.png'));
  await solid(16, 16, 10, 20, 30, 0.5).png().toFile(join(dir, 'd_alpha.png'));
  await halves(60, 40, [255, 0, 0], [0, 255, 0]).png().toFile(join(dir, 'e_left_red_right_green.png'));
  await solid(12, 12, 9, 99, 199).webp({ lossless: true }).toFile(join(dir, 'f_lossless.webp'));
  await writeFile(join(dir, 'notes.txt'), 'not an image');
});

describe('image folder', () => {
  it('lists image files sorted by name, ignoring other files and folders', async () => {
    const ds = await ImageFolderDataset.open({ path: dir, imageSize: 8 });
    expect(ds.fileNames).toEqual(['a_red.png', 'b_blue.JPG', 'c_gray.png', 'd_alpha.png', 'e_left_red_right_green.png', 'f_lossless.webp']);
    expect(ds.length).toBe(6);
    expect(ds.imageSize).toBe(8);
    expect(ds.description).toContain(dir);
  });

  it('decodes PNG, JPEG and WebP to the right colours after resizing', async () => {
    const ds = await ImageFolderDataset.open({ path: dir, imageSize: 8 });
    const red = await ds.get(0);
    expect(red.length).toBe(3 * 64);
    expect([channelAll(red, 8, 0, 1), channelAll(red, 8, 1, 0), channelAll(red, 8, 2, 0)]).toEqual([true, true, true]);
    const blue = await ds.get(1); // JPEG: allow a couple of levels of coding error
    expect([channelAll(blue, 8, 0, 0, 3 / 255), channelAll(blue, 8, 1, 0, 3 / 255), channelAll(blue, 8, 2, 1, 3 / 255)]).toEqual([true, true, true]);
    const webp = await ds.get(5);
    expect([channelAll(webp, 8, 0, 9 / 255), channelAll(webp, 8, 1, 99 / 255), channelAll(webp, 8, 2, 199 / 255)]).toEqual([true, true, true]);
  });

  it('expands grayscale to 3 equal channels and drops alpha', async () => {
    const ds = await ImageFolderDataset.open({ path: dir, imageSize: 8 });
    const gray = await ds.get(2);
    for (let c = 0; c < 3; c++) expect(channelAll(gray, 8, c, 77 / 255)).toBe(true);
    const alpha = await ds.get(3);
    expect([channelAll(alpha, 8, 0, 10 / 255), channelAll(alpha, 8, 1, 20 / 255), channelAll(alpha, 8, 2, 30 / 255)]).toEqual([true, true, true]);
  });

  it('decodes grayscale as 1 channel and 16-bit PNG to 8 bits', async () => {
    const gray = await decodeImage(await readFile(join(dir, 'c_gray.png')), 'gray');
    expect([gray.channels, gray.width, gray.height, gray.data[0]]).toEqual([1, 8, 8, 77]);
    const png16 = await solid(4, 4, 40, 80, 160).toColourspace('rgb16').png().toBuffer();
    expect((await sharp(png16).metadata()).depth).toBe('ushort');
    const rgb = await decodeImage(png16, 'png16');
    expect([rgb.channels, rgb.data[0], rgb.data[16], rgb.data[32]]).toEqual([3, 40, 80, 160]);
  });

  it('resizes the shorter side then centre-crops: left half red, right half green', async () => {
    // 60×40 → 15×10 → middle 10 columns: 5 red then 5 green (columns 4 and 5 blend across the edge)
    const ds = await ImageFolderDataset.open({ path: dir, imageSize: 10 });
    const img = await ds.get(4);
    for (let y = 0; y < 10; y++) {
      for (let x = 0; x < 4; x++) expect([px(img, 10, 0, y, x), px(img, 10, 1, y, x)]).toEqual([1, 0]);
      for (let x = 6; x < 10; x++) expect([px(img, 10, 0, y, x), px(img, 10, 1, y, x)]).toEqual([0, 1]);
    }
  });

  it('applies an optional centre crop first (CelebA-style)', async () => {
    const cdir = join(tmp(), 'crop');
    await mkdir(cdir);
    // 50×60 red with a blue 20×20 square at columns 15..34, rows 20..39 (the centre)
    const raw = Buffer.alloc(50 * 60 * 3);
    for (let y = 0; y < 60; y++)
      for (let x = 0; x < 50; x++) raw.set(x >= 15 && x < 35 && y >= 20 && y < 40 ? [0, 0, 255] : [255, 0, 0], (y * 50 + x) * 3);
    await sharp(raw, { raw: { width: 50, height: 60, channels: 3 } }).png().toFile(join(cdir, 'face.png'));
    const ds = await ImageFolderDataset.open({ path: cdir, imageSize: 5, centerCrop: 20 });
    const img = await ds.get(0);
    expect([channelAll(img, 5, 0, 0), channelAll(img, 5, 2, 1)]).toEqual([true, true]);
    const uncropped = await (await ImageFolderDataset.open({ path: cdir, imageSize: 5 })).get(0);
    expect(px(uncropped, 5, 0, 0, 0)).toBe(1); // the red border is still there without the crop
  });

  it('names an undecodable image file', async () => {
    const bdir = join(tmp(), 'broken');
    await mkdir(bdir);
    await writeFile(join(bdir, 'broken.jpg'), 'definitely not a JPEG');
    const ds = await ImageFolderDataset.open({ path: bdir });
    const err = (await ds.get(0).catch((e: unknown) => e)) as DataError;
    expect(err).toBeInstanceOf(DataError);
    expect(err.path).toBe(join(bdir, 'broken.jpg'));
    expect(err.message).toMatch(new RegExp(`^${join(bdir, 'broken.jpg')}: cannot decode image`));
  });

  it('reports an empty folder, a missing folder and a file given as a folder', async () => {
    const edir = join(tmp(), 'empty');
    await mkdir(edir);
    await writeFile(join(edir, 'readme.md'), 'no images here');
    await expect(ImageFolderDataset.open({ path: edir })).rejects.toThrow(`${edir}: empty image folder: no files ending in .jpg`);
    const missing = join(tmp(), 'missing');
    await expect(ImageFolderDataset.open({ path: missing })).rejects.toThrow(`${missing}: folder not found`);
    const file = join(edir, 'readme.md');
    await expect(ImageFolderDataset.open({ path: file })).rejects.toThrow(`${file}: not a folder`);
  });
});
