/** Tiny data and configs shared by the API tests (16 px, width 4, z of 8, batch 4: seconds on lavapipe). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS, type TrainConfig } from '../../src/train/config.js';

/** 48 CIFAR-10 records (label byte + 3072 planar RGB bytes) of smooth varied images, written to `dir`. */
export function writeCifar(dir: string): string {
  const rec = 3073;
  const buf = new Uint8Array(48 * rec);
  for (let i = 0; i < 48; i++) {
    buf[i * rec] = i % 10;
    for (let c = 0; c < 3; c++)
      for (let p = 0; p < 1024; p++) buf[i * rec + 1 + c * 1024 + p] = (((p >> 5) * (3 + i) + (p & 31) * (c + 1) * 5 + i * 17) & 255);
  }
  const path = join(dir, 'data_batch_1.bin');
  writeFileSync(path, buf);
  return path;
}

export function smallConfig(over: Partial<TrainConfig> = {}): TrainConfig {
  return {
    ...DEFAULTS,
    imageSize: 16, baseWidth: 4, codeSize: 8, batchSize: 4,
    iterations: 3, checkpointEvery: 3, sampleEvery: 1000, reconEvery: 1000, reconSteps: 2,
    finalTestSize: 12, runningTestSize: 8, finalReconSteps: 2,
    ...over,
  };
}

/** `n` images of 3×size×size in [0,1] that differ from each other, NCHW. */
export function syntheticImages(n: number, size = 16, phase = 0): Float32Array {
  const per = 3 * size * size;
  return new Float32Array(n * per).map((_, i) => 0.5 + 0.45 * Math.sin((i % per) / (5 + Math.floor(i / per)) + phase));
}
