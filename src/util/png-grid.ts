/** Writing image grids as PNG (sharp encodes; the grid layout is ours). Written atomically. */
import sharp from 'sharp';
import { writeFileAtomic } from '../io/atomic-write.js';

/**
 * Tile `count` CHW images in [0,1] (3 channels, size×size) into a grid with `cols` columns and a 2-pixel
 * gap, and write a PNG.
 */
export async function writeImageGrid(path: string, images: Float32Array, count: number, size: number, cols = Math.ceil(Math.sqrt(count))): Promise<void> {
  const gap = 2;
  const rows = Math.ceil(count / cols);
  const W = cols * size + (cols + 1) * gap;
  const H = rows * size + (rows + 1) * gap;
  const rgb = new Uint8Array(W * H * 3).fill(255);
  const plane = size * size;
  for (let k = 0; k < count; k++) {
    const ox = gap + (k % cols) * (size + gap);
    const oy = gap + Math.floor(k / cols) * (size + gap);
    const base = k * 3 * plane;
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++)
        for (let c = 0; c < 3; c++) {
          const v = images[base + c * plane + y * size + x];
          rgb[((oy + y) * W + ox + x) * 3 + c] = Math.round(Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)) * 255);
        }
  }
  const png = await sharp(rgb, { raw: { width: W, height: H, channels: 3 } }).png().toBuffer();
  await writeFileAtomic(path, new Uint8Array(png.buffer, png.byteOffset, png.byteLength));
}
