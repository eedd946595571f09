/** The flags that describe a training run, shared by `wngan train` and `wngan experiment`. */
import { DEFAULTS, type TrainConfig } from '../train/config.js';
import { DATASET_KINDS, type DatasetKind } from '../data/open.js';
import { NORMS, type Norm } from '../models/dcgan.js';
import type { Parsed } from './args.js';

const D = DEFAULTS;
const BIG = 100_000_000;
const every = (help: string, def: number) => ({ type: 'number', default: def, int: true, min: 1, max: BIG, help }) as const;

export const TRAIN_FLAGS = {
  model: { type: 'string', default: D.model, choices: ['dcgan', 'resnet'], help: 'dcgan (R1) or resnet (R2, weight norm; defaults to R2\'s settings: --lr 2e-5 --eps 1e-8 --code-size 128 --batch 32, each unless given)' },
  norm: { type: 'string', default: D.norm, choices: NORMS, help: 'none | batch | weight | weight-affine' },
  data: { type: 'string', default: '', help: 'data path (default: the built-in Fashion-MNIST)' },
  'data-kind': { type: 'string', default: '', choices: DATASET_KINDS, help: 'fashion-mnist | cifar10 | folder | lsun (default: guessed from the path)' },
  'center-crop': { type: 'number', default: 0, int: true, min: 0, max: 65536, help: 'centre crop (source pixels) before resizing, e.g. 160 for CelebA; 0 = none' },
  'image-size': { type: 'number', default: D.imageSize, int: true, min: 8, max: 1024, help: 'image side in pixels' },
  'code-size': { type: 'number', default: D.codeSize, int: true, min: 1, max: 8192, help: 'size of z' },
  width: { type: 'number', default: D.baseWidth, int: true, min: 1, max: 4096, help: "D's first-level width (doubles per level)" },
  blocks: { type: 'number', default: D.blocksPerLevel, int: true, min: 1, max: 64, help: 'ResNet blocks per level (2 with 5 levels = the 21-layer net)' },
  batch: { type: 'number', default: D.batchSize, int: true, min: 1, max: 65536, help: 'batch size' },
  iterations: every('total iterations (one D step and one G step each); on --resume, where to stop', D.iterations),
  optimizer: { type: 'string', default: D.optimizer, choices: ['rmsprop', 'adam'], help: 'rmsprop (the paper) or adam' },
  lr: { type: 'number', default: D.lrD, above: 0, max: 10, help: 'learning rate of D and G (the paper: 1e-4; 2e-5..5e-5 recommended for WN)' },
  'lr-d': { type: 'number', default: 0, min: 0, max: 10, help: "D's learning rate (overrides --lr; 0 = --lr)" },
  'lr-g': { type: 'number', default: 0, min: 0, max: 10, help: "G's learning rate (overrides --lr; 0 = --lr)" },
  alpha: { type: 'number', default: D.alpha, min: 0, below: 1, help: 'RMSprop smoothing constant' },
  eps: { type: 'number', default: D.eps, above: 0, max: 1, help: 'RMSprop/Adam epsilon (outside the square root)' },
  seed: { type: 'number', default: D.seed, int: true, min: 0, max: 2 ** 53 - 1, help: 'seed of the data split, init, z and batches' },
  out: { type: 'string', default: D.out, help: 'run folder; one that already holds a run is refused (see --resume, --force)' },
  force: { type: 'boolean', default: false, help: 'if --out holds a run, move it aside to <out>.old-N (never deleted) and start afresh' },
  'checkpoint-every': every('write last.safetensors every N iterations', D.checkpointEvery),
  'sample-every': every('write a sample grid (fixed z) every N iterations', D.sampleEvery),
  'recon-every': every('running reconstruction test every N iterations (best.safetensors kept)', D.reconEvery),
  'recon-steps': { type: 'number', default: D.reconSteps, int: true, min: 0, max: 1_000_000, help: 'z-optimisation steps of the running test' },
  'running-test': { type: 'number', default: D.runningTestSize, int: true, min: 1, max: 10_000_000, help: 'running test set size' },
  'final-test': { type: 'number', default: D.finalTestSize, int: true, min: 1, max: 10_000_000, help: 'final test set size (held out from training)' },
  'divergence-guard': { type: 'boolean', default: true, help: 'restart from the last good state with lr ×0.1 on NaN/exploding losses (--no-divergence-guard stops instead)' },
  'max-bad-files': { type: 'number', default: D.maxBadFiles, min: 0, max: 100, help: 'undecodable images are skipped with a warning; stop when more than this percentage of the files are bad' },
  resume: { type: 'string', default: '', help: 'continue a run: its folder or a checkpoint; with --out, in a copy of the run (the original is left as it is)' },
} as const;

export type TrainFlags = Parsed<typeof TRAIN_FLAGS>;

/** R2's (the WN ResNet code's) defaults, used with --model resnet for each flag the user did not give. */
export const RESNET_DEFAULTS = { lr: 2e-5, eps: 1e-8, 'code-size': 128, batch: 32 } as const;

/**
 * A run's config from parsed flags (defaults where a flag was not given). `given`: the flags on the command
 * line (see parseArgs); without it, a flag counts as given when its value differs from its default.
 */
export function configFromFlags(o: TrainFlags, given?: Set<string>): TrainConfig {
  const isGiven = (k: keyof TrainFlags) => (given ? given.has(k) : o[k] !== TRAIN_FLAGS[k].default);
  const v = { ...o };
  if (o.model === 'resnet') for (const k of Object.keys(RESNET_DEFAULTS) as (keyof typeof RESNET_DEFAULTS)[]) if (!isGiven(k)) v[k] = RESNET_DEFAULTS[k];
  const config: TrainConfig = {
    ...DEFAULTS,
    model: v.model as TrainConfig['model'],
    norm: v.norm as Norm,
    imageSize: v['image-size'],
    codeSize: v['code-size'],
    baseWidth: v.width,
    blocksPerLevel: v.blocks,
    batchSize: v.batch,
    iterations: v.iterations,
    optimizer: v.optimizer as TrainConfig['optimizer'],
    lrD: v['lr-d'] || v.lr,
    lrG: v['lr-g'] || v.lr,
    alpha: v.alpha,
    eps: v.eps,
    seed: v.seed,
    data: { kind: (v['data-kind'] || undefined) as DatasetKind | undefined, path: v.data || undefined, centerCrop: v['center-crop'] || undefined },
    out: v.out,
    checkpointEvery: v['checkpoint-every'],
    sampleEvery: v['sample-every'],
    reconEvery: v['recon-every'],
    reconSteps: v['recon-steps'],
    runningTestSize: v['running-test'],
    finalTestSize: v['final-test'],
    divergenceGuard: v['divergence-guard'],
    maxBadFiles: v['max-bad-files'],
  };
  if (!v.data && !v['data-kind']) config.data = { kind: 'fashion-mnist' };
  return config;
}

/** The train flags that set each config field (a field set by two flags lists both). */
export const FLAGS_OF_FIELD: Partial<Record<keyof TrainConfig, (keyof TrainFlags)[]>> = {
  model: ['model'], norm: ['norm'], imageSize: ['image-size'], codeSize: ['code-size'], baseWidth: ['width'],
  blocksPerLevel: ['blocks'], batchSize: ['batch'], iterations: ['iterations'], optimizer: ['optimizer'],
  lrD: ['lr', 'lr-d'], lrG: ['lr', 'lr-g'], alpha: ['alpha'], eps: ['eps'], seed: ['seed'],
  data: ['data', 'data-kind', 'center-crop'], checkpointEvery: ['checkpoint-every'], sampleEvery: ['sample-every'],
  reconEvery: ['recon-every'], reconSteps: ['recon-steps'], runningTestSize: ['running-test'],
  finalTestSize: ['final-test'], divergenceGuard: ['divergence-guard'], maxBadFiles: ['max-bad-files'],
};
