/**
 * Decode an encoded image (JPEG, PNG, WebP, ... anything libvips reads) into a channel-planar RawImage,
 * with `sharp` (libvips; prebuilt binaries ship as npm packages). Node only.
 *
 * Grayscale stays 1 channel (preprocess() repeats it into RGB); alpha is dropped without compositing, like
 * PIL's convert('RGB'); 16-bit images are reduced to 8 bits; other colour spaces (CMYK, ...) are converted
 * to sRGB. EXIF orientation is ignored, as PIL does by default.
 */
import sharp, { type OutputInfo } from 'sharp';
import { DataError } from './errors.js';
import type { RawImage } from './preprocess.js';

/**
 * @param bytes the encoded file contents
 * @param source the file (or `db:key`) name to put in the error message if it does not decode
 */
export async function decodeImage(bytes: Uint8Array, source: string): Promise<RawImage> {
  let data: Buffer;
  let info: OutputInfo;
  try {
    const img = sharp(bytes, { failOn: 'error' });
    const meta = await img.metadata();
    const gray = meta.channels !== undefined && meta.channels <= 2 && meta.space === 'b-w';
    const pipeline = gray ? img.toColourspace('b-w') : img.toColourspace('srgb');
    ({ data, info } = await pipeline.removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true }));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new DataError(source, `cannot decode image (${why})`, { cause: err });
  }
  const { width, height, channels } = info;
  if (channels !== 1 && channels !== 3) {
    throw new DataError(source, `decoded to ${channels} channels, expected 1 or 3`);
  }
  // sharp gives interleaved HWC; preprocess() wants planar CHW.
  const plane = width * height;
  const planar = new Uint8Array(plane * channels);
  if (channels === 1) {
    planar.set(data.subarray(0, plane));
  } else {
    for (let p = 0, q = 0; p < plane; p++, q += 3) {
      planar[p] = data[q]!;
      planar[plane + p] = data[q + 1]!;
      planar[2 * plane + p] = data[q + 2]!;
    }
  }
  return { width, height, channels, data: planar };
}
