/** The training run configuration: every choice the paper leaves open is a field here, with its default. */
import { NORMS, type Norm } from '../models/dcgan.js';
import type { DatasetSpec } from '../data/open.js';

export interface TrainConfig {
  /** 'dcgan' (R1) or 'resnet' (R2, weight norm only) */
  model: 'dcgan' | 'resnet';
  norm: Norm;
  imageSize: number;
  codeSize: number;
  /** D's first-level width (64 in the paper) */
  baseWidth: number;
  /** ResNet: residual blocks per level */
  blocksPerLevel: number;
  batchSize: number;
  iterations: number;
  optimizer: 'rmsprop' | 'adam';
  lrD: number;
  lrG: number;
  /** RMSprop smoothing constant */
  alpha: number;
  /** RMSprop/Adam epsilon (outside the square root) */
  eps: number;
  beta1: number;
  beta2: number;
  seed: number;
  data: DatasetSpec;
  /** output folder: config, log.jsonl, samples/, last.safetensors, best.safetensors */
  out: string;
  checkpointEvery: number;
  sampleEvery: number;
  /** running reconstruction test every N iterations (paper: 1000) on the running test set */
  reconEvery: number;
  /** z-optimisation steps of the running test (paper: 50) */
  reconSteps: number;
  runningTestSize: number;
  finalTestSize: number;
  /** final test steps (the paper does not say; our documented default) */
  finalReconSteps: number;
  /** restart from the last good state with a smaller lr when losses become NaN/Inf or explode */
  divergenceGuard: boolean;
  /** a loss above this counts as exploded */
  explodeThreshold: number;
  /** after a restart, multiply the lr by this for `guardIterations` iterations */
  guardLrFactor: number;
  guardIterations: number;
  maxRestarts: number;
}

export const DEFAULTS: TrainConfig = {
  model: 'dcgan',
  norm: 'weight',
  imageSize: 32,
  codeSize: 128,
  baseWidth: 64,
  blocksPerLevel: 1,
  batchSize: 32,
  iterations: 300,
  optimizer: 'rmsprop',
  lrD: 1e-4,
  lrG: 1e-4,
  alpha: 0.9,
  eps: 1e-6,
  beta1: 0.5,
  beta2: 0.999,
  seed: 1,
  data: { kind: 'fashion-mnist' },
  out: 'runs/wn-dcgan32',
  checkpointEvery: 100,
  sampleEvery: 100,
  reconEvery: 1000,
  reconSteps: 50,
  runningTestSize: 200,
  finalTestSize: 2000,
  finalReconSteps: 500,
  divergenceGuard: true,
  explodeThreshold: 50,
  guardLrFactor: 0.1,
  guardIterations: 100,
  maxRestarts: 3,
};

export function validateConfig(c: TrainConfig): TrainConfig {
  const problems: string[] = [];
  if (!NORMS.includes(c.norm)) problems.push(`norm must be one of ${NORMS.join(', ')}, got '${c.norm}'`);
  if (c.model !== 'dcgan' && c.model !== 'resnet') problems.push(`model must be dcgan or resnet, got '${c.model}'`);
  if (c.model === 'resnet' && c.norm !== 'weight') problems.push(`the ResNet is defined with weight normalisation only (norm 'weight'), got '${c.norm}'`);
  if (c.optimizer !== 'rmsprop' && c.optimizer !== 'adam') problems.push(`optimizer must be rmsprop or adam, got '${c.optimizer}'`);
  for (const k of ['codeSize', 'baseWidth', 'batchSize', 'blocksPerLevel', 'checkpointEvery', 'sampleEvery', 'reconEvery', 'runningTestSize', 'finalTestSize'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1) problems.push(`${k} must be a positive integer, got ${c[k]}`);
  }
  for (const k of ['iterations', 'reconSteps', 'finalReconSteps'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 0) problems.push(`${k} must be a non-negative integer, got ${c[k]}`);
  }
  for (const k of ['lrD', 'lrG', 'eps'] as const) if (!(c[k] > 0)) problems.push(`${k} must be positive, got ${c[k]}`);
  if (c.runningTestSize > c.finalTestSize) problems.push(`runningTestSize (${c.runningTestSize}) cannot exceed finalTestSize (${c.finalTestSize})`);
  if (problems.length) throw new Error(`invalid configuration:\n  ${problems.join('\n  ')}`);
  return c;
}
