import { describe, expect, it } from 'vitest';
import { centerOffset, preprocess, resizedSize, type RawImage } from '../../src/data/preprocess.js';
import { channelAll, px } from './helpers.js';

/** A planar RGB image whose pixel colour is given by f(x, y). */
function rgbImage(width: number, height: number, f: (x: number, y: number) => [number, number, number]): RawImage {
  const data = new Uint8Array(3 * width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const c = f(x, y);
      for (let k = 0; k < 3; k++) data[k * width * height + y * width + x] = c[k]!;
    }
  return { width, height, channels: 3, data };
}

describe('preprocess', () => {
  it('keeps a same-size image exactly (value/255), CHW', () => {
    const img = rgbImage(4, 4, (x, y) => [x * 10, y * 20, 255]);
    const out = preprocess(img, { imageSize: 4 });
    expect(out.length).toBe(3 * 16);
    expect(px(out, 4, 0, 2, 3)).toBe(Math.fround(30 / 255));
    expect(px(out, 4, 1, 2, 3)).toBe(Math.fround(40 / 255));
    expect(px(out, 4, 2, 0, 0)).toBe(1);
  });

  it('a solid colour stays that colour after up- and downscaling', () => {
    for (const [w, h, s] of [[28, 28, 32], [178, 218, 64], [50, 20, 7]] as const) {
      const out = preprocess(rgbImage(w, h, () => [200, 13, 77]), { imageSize: s });
      expect(out.length).toBe(3 * s * s);
      expect(channelAll(out, s, 0, 200 / 255, 1e-6)).toBe(true);
      expect(channelAll(out, s, 1, 13 / 255, 1e-6)).toBe(true);
      expect(channelAll(out, s, 2, 77 / 255, 1e-6)).toBe(true);
    }
  });

  it("matches PIL's Image.resize(BILINEAR) (antialiased) within PIL's 8-bit rounding (≤ 1/255)", () => {
    // PIL rounds to 8 bits after each of its two passes, we do not: |difference| ≤ 0.5 + 0.5 levels.
    // Reference values computed with Pillow 9.4: a 7×5 'L' image resized to (4,3), (11,8), (2,2), then
    // centre-cropped to a square as torchvision does (offsets 0, 2, 0).
    const src = [0, 37, 74, 111, 148, 185, 222, 59, 107, 155, 203, 251, 43, 91, 118, 177, 236, 39, 21, 80, 139, 177, 247, 61, 54, 124, 117, 187, 236, 61, 65, 146, 150, 231, 235];
    const img: RawImage = { width: 7, height: 5, channels: 1, data: Uint8Array.from(src) };
    const expected: Record<number, number[]> = {
      3: [47, 112, 167, 146, 151, 88, 174, 91, 138],
      8: [40, 64, 87, 111, 135, 158, 182, 205, 71, 98, 124, 151, 178, 174, 130, 146, 115, 147, 172, 193, 221, 184, 63, 72, 160, 196, 167, 90, 92, 86, 71, 99, 197, 186, 131, 44, 50, 64, 88, 125, 227, 119, 65, 53, 95, 117, 115, 152, 135, 85, 78, 106, 127, 150, 178, 199, 61, 64, 94, 146, 149, 172, 224, 233],
      2: [114, 133, 137, 133],
    };
    for (const [size, want] of Object.entries(expected)) {
      const s = Number(size);
      const out = preprocess(img, { imageSize: s });
      for (let c = 0; c < 3; c++) {
        // grayscale is repeated into all three channels
        const got = Array.from(out.subarray(c * s * s, (c + 1) * s * s), (v) => v * 255);
        const worst = Math.max(...got.map((g, i) => Math.abs(g - want[i]!)));
        expect(worst).toBeLessThanOrEqual(1);
      }
    }
  });

  it('resizes the shorter side and centre-crops the longer (left red / right blue)', () => {
    // 40×20: shorter side 20 → 10, so 20×10, then the middle 10 columns: left 5 red, right 5 blue.
    const img = rgbImage(40, 20, (x) => (x < 20 ? [255, 0, 0] : [0, 0, 255]));
    const out = preprocess(img, { imageSize: 10 });
    for (let y = 0; y < 10; y++) {
      for (let x = 0; x < 4; x++) expect([px(out, 10, 0, y, x), px(out, 10, 2, y, x)]).toEqual([1, 0]);
      for (let x = 6; x < 10; x++) expect([px(out, 10, 0, y, x), px(out, 10, 2, y, x)]).toEqual([0, 1]);
      // the boundary columns blend
      expect(px(out, 10, 0, y, 4)).toBeGreaterThan(0.5);
      expect(px(out, 10, 0, y, 5)).toBeLessThan(0.5);
    }
    // portrait: top half green, bottom half white
    const tall = rgbImage(16, 48, (_x, y) => (y < 24 ? [0, 255, 0] : [255, 255, 255]));
    const t = preprocess(tall, { imageSize: 8 });
    expect(px(t, 8, 0, 0, 0)).toBe(0);
    expect(px(t, 8, 0, 7, 7)).toBe(1);
  });

  it('applies centerCrop before resizing', () => {
    // 30×30 red with a green 10×10 centre (rows/cols 10..19): crop 10 keeps only the green.
    const img = rgbImage(30, 30, (x, y) => (x >= 10 && x < 20 && y >= 10 && y < 20 ? [0, 255, 0] : [255, 0, 0]));
    const out = preprocess(img, { imageSize: 5, centerCrop: 10 });
    expect(channelAll(out, 5, 0, 0)).toBe(true);
    expect(channelAll(out, 5, 1, 1)).toBe(true);
    // a crop larger than the image keeps the whole image
    const whole = preprocess(img, { imageSize: 30, centerCrop: 100 });
    expect(whole).toEqual(preprocess(img, { imageSize: 30 }));
  });

  it('computes sizes and offsets like torchvision', () => {
    expect(resizedSize(178, 218, 64)).toEqual([64, 78]);
    expect(resizedSize(40, 20, 10)).toEqual([20, 10]);
    expect(resizedSize(28, 28, 32)).toEqual([32, 32]);
    expect(centerOffset(5, 4)).toBe(0); // round(0.5) = 0 (half to even)
    expect(centerOffset(7, 4)).toBe(2); // round(1.5) = 2
    expect(centerOffset(218, 160)).toBe(29);
  });

  it('rejects bad options and inconsistent images', () => {
    const img = rgbImage(4, 4, () => [0, 0, 0]);
    expect(() => preprocess(img, { imageSize: 0 })).toThrow(RangeError);
    expect(() => preprocess(img, { imageSize: 4, centerCrop: 2.5 })).toThrow(RangeError);
    expect(() => preprocess({ ...img, width: 5 }, { imageSize: 4 })).toThrow(/bytes/);
  });
});
