// Shared test helpers: a temp folder per test file, and small image makers.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/** A fresh temp folder for the calling test file, removed afterwards. Call at the top level. */
export function useTempDir(prefix: string): () => string {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `wngan-${prefix}-`));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return () => dir;
}

/** Pixel (c, y, x) of a CHW image of side `size`. */
export function px(img: Float32Array, size: number, c: number, y: number, x: number): number {
  return img[c * size * size + y * size + x]!;
}

/** Every value of channel c equals `v` within `tol`. */
export function channelAll(img: Float32Array, size: number, c: number, v: number, tol = 1e-6): boolean {
  const plane = img.subarray(c * size * size, (c + 1) * size * size);
  return plane.every((p) => Math.abs(p - v) <= tol);
}
