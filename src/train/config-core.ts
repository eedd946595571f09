/**
 * The training run configuration: every choice the paper leaves open is a field here, with its default.
 * Pure (no Node APIs), so the browser bundle can build models from it; config.ts adds the Node-only parts.
 */
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
  /** seed of the initialisation, the z draws and the batch order */
  seed: number;
  /**
   * seed of the train/test split (default: `seed`). An experiment fixes it so that every run, whatever its
   * seed, holds out the same test images.
   */
  splitSeed?: number;
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
  /**
   * undecodable images are skipped with a warning; the run stops when more than this percentage of the data
   * set's files turned out bad
   */
  maxBadFiles: number;
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
  maxBadFiles: 1,
};

/** The `wngan train` flag of each field, so that errors speak in the user's terms. */
export const FIELD_FLAGS: Partial<Record<keyof TrainConfig, string>> = {
  model: '--model', norm: '--norm', imageSize: '--image-size', codeSize: '--code-size', baseWidth: '--width',
  blocksPerLevel: '--blocks', batchSize: '--batch', iterations: '--iterations', optimizer: '--optimizer',
  lrD: '--lr-d', lrG: '--lr-g', alpha: '--alpha', eps: '--eps', seed: '--seed', data: '--data', out: '--out',
  checkpointEvery: '--checkpoint-every', sampleEvery: '--sample-every', reconEvery: '--recon-every',
  reconSteps: '--recon-steps', runningTestSize: '--running-test', finalTestSize: '--final-test',
  divergenceGuard: '--divergence-guard', maxBadFiles: '--max-bad-files',
};

export function flagOf(field: keyof TrainConfig): string {
  return FIELD_FLAGS[field] ?? `config field '${field}'`;
}

/**
 * Fields that define the model, its optimiser state or the data and its split: a resumed run must keep them
 * (the checkpoint's tensors, sampler state and held-out images depend on them). Every other field (learning
 * rates, iteration count, intervals, guard settings) may change when resuming.
 */
export const FIXED_ON_RESUME: readonly (keyof TrainConfig)[] = [
  'model', 'norm', 'imageSize', 'codeSize', 'baseWidth', 'blocksPerLevel', 'batchSize', 'optimizer',
  'seed', 'splitSeed', 'data', 'runningTestSize', 'finalTestSize',
];

export function validateConfig(c: TrainConfig): TrainConfig {
  const problems: string[] = [];
  const f = flagOf;
  if (!NORMS.includes(c.norm)) problems.push(`--norm must be one of ${NORMS.join(', ')}, got '${c.norm}'`);
  if (c.model !== 'dcgan' && c.model !== 'resnet') problems.push(`--model must be dcgan or resnet, got '${c.model}'`);
  if (c.model === 'resnet' && c.norm !== 'weight') problems.push(`--model resnet is defined with weight normalisation only (--norm weight), got --norm ${c.norm}`);
  if (c.optimizer !== 'rmsprop' && c.optimizer !== 'adam') problems.push(`--optimizer must be rmsprop or adam, got '${c.optimizer}'`);
  for (const k of ['codeSize', 'baseWidth', 'batchSize', 'blocksPerLevel', 'checkpointEvery', 'sampleEvery', 'reconEvery', 'runningTestSize', 'finalTestSize', 'iterations'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1) problems.push(`${f(k)} must be a positive integer, got ${c[k]}`);
  }
  if (!Number.isInteger(c.imageSize) || c.imageSize < 8) problems.push(`--image-size must be an integer of at least 8, got ${c.imageSize}`);
  for (const k of ['reconSteps', 'finalReconSteps'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 0) problems.push(`${f(k)} must be a non-negative integer, got ${c[k]}`);
  }
  for (const k of ['lrD', 'lrG', 'eps'] as const) if (!(c[k] > 0)) problems.push(`${f(k)} must be positive, got ${c[k]}`);
  if (!(c.alpha >= 0 && c.alpha < 1)) problems.push(`--alpha must be in [0, 1), got ${c.alpha}`);
  // absent in checkpoints written before the field existed
  const bad = c.maxBadFiles ?? DEFAULTS.maxBadFiles;
  if (!(bad >= 0 && bad <= 100)) problems.push(`--max-bad-files must be a percentage from 0 to 100, got ${bad}`);
  if (c.runningTestSize > c.finalTestSize) problems.push(`--running-test (${c.runningTestSize}) cannot exceed --final-test (${c.finalTestSize}): the running test set is the final test set's first images`);
  if (!c.out) problems.push('--out must name a folder');
  if (problems.length) throw new Error(`invalid configuration:\n  ${problems.join('\n  ')}`);
  return c;
}
