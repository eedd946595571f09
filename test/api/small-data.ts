/** Tiny data and configs shared by the API tests (16 px, width 4, z of 8, batch 4: seconds on lavapipe). */
import { DEFAULTS, type TrainConfig } from '../../src/train/config.js';

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
