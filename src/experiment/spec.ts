/**
 * Job specs: a small JSON description of one unit of an experiment, holding everything needed to start it
 * or resume it. The grid (grid.ts) makes them; an executor (executor.ts runs them one after another here; a
 * distributed one can hand the same specs to many machines) runs each through `runJob` (job.ts).
 * Paths inside a spec are relative to the experiment folder, so a spec means the same thing on any machine
 * that mounts that folder.
 */
import type { TrainConfig } from '../train/config.js';
import type { DatasetSpec } from '../data/open.js';

/** Train the feature classifier that FD and KID are measured with. */
export interface ClassifierJob {
  kind: 'classifier';
  name: 'classifier';
  /** output checkpoint, relative to the experiment folder */
  out: string;
  data: DatasetSpec;
  imageSize: number;
  iterations: number;
  /** the split seed: the classifier trains on the same training images as the GANs */
  splitSeed: number;
  finalTestSize: number;
}

/** One (norm, seed) training run, then its final test(s) and final sample quality. */
export interface TrainJob {
  kind: 'train';
  /** `<norm>-s<seed>`: also the run's subfolder under runs/ */
  name: string;
  /** the run's config; `config.out` is relative to the experiment folder */
  config: TrainConfig;
  /** which checkpoints get the final test: 'best' (the paper's default) and, with --final-last, 'last' */
  finalCheckpoints: ('best' | 'last')[];
  /** z-optimisation steps of the final test */
  finalSteps: number;
  /** sample quality (FD, KID) and a sample grid at these iterations; the last is the final iteration */
  milestones: number[];
  /** FD/KID: generated samples per measurement, and the classifier (relative path), or null to skip */
  quality: { classifier: string | null; samples: number; seed: number } ;
  /** the jobs that must finish first */
  needs: string[];
}

export type JobSpec = ClassifierJob | TrainJob;

/** What a finished train job leaves in `<run>/result.json`: the report reads it. */
export interface TrainResult {
  name: string;
  norm: string;
  seed: number;
  iterations: number;
  /** the sum of the logged iteration times (seconds), across resumes */
  trainSeconds: number;
  /** seconds spent in the final tests */
  evalSeconds: number;
  /** divergence-guard restarts (each is a `diverged` event in log.jsonl) */
  restarts: number;
  /** the iteration where training diverged for good (the guard gave up), or null */
  divergedAt: number | null;
  final: Partial<Record<'best' | 'last', FinalTest>>;
  /** FD/KID of the final model (last iteration), or null without a classifier */
  quality: QualityMeasure | null;
  adapter: string;
}

export interface FinalTest {
  /** MSE per pixel per channel on [0,1], averaged over the held-out images */
  mse: number;
  perImageSquaredDistance: number;
  images: number;
  steps: number;
  /** the training iteration of the checkpoint tested */
  iteration: number;
  seconds: number;
}

export interface QualityMeasure {
  iter: number;
  fd: number;
  kid: number;
  kidStderr: number;
  samples: number;
}

export const runDir = (job: TrainJob) => job.config.out;
