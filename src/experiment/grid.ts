/**
 * The experiment grid: norms × seeds over one base config, turned into job specs. Every run shares the data,
 * the split (a fixed split seed, so every run holds out the same test images), the schedule and every flag;
 * a run's seed changes only its initialisation, its z draws and its batch order.
 */
import { join } from 'node:path';
import type { TrainConfig } from '../train/config.js';
import type { Norm } from '../models/dcgan.js';
import type { ClassifierJob, JobSpec, TrainJob } from './spec.js';

export interface ExperimentGrid {
  norms: Norm[];
  /** seeds 1..seeds */
  seeds: number;
  /** every run's config but norm, seed and out */
  base: TrainConfig;
  splitSeed: number;
  finalSteps: number;
  finalLast: boolean;
  /** sample-quality milestones per run (evenly spaced; the last is the final iteration) */
  milestones: number;
  qualitySamples: number;
  /** a classifier checkpoint to use, or null to train one in the experiment (labelled data only) */
  classifier: string | null;
  classifierIterations: number;
  /** false: the data has no labels and no classifier was given, so FD/KID are skipped */
  quality: boolean;
}

export const CLASSIFIER_PATH = 'classifier.safetensors';

export function runName(norm: string, seed: number): string {
  return `${norm}-s${seed}`;
}

/** Evenly spaced milestones ending at the last iteration, e.g. 4 over 2000 → 500, 1000, 1500, 2000. */
export function milestoneIterations(iterations: number, count: number): number[] {
  const out = new Set<number>();
  for (let k = 1; k <= count; k++) out.add(Math.max(1, Math.round((iterations * k) / count)));
  return [...out].filter((i) => i <= iterations).sort((a, b) => a - b);
}

export function gridJobs(g: ExperimentGrid): JobSpec[] {
  const jobs: JobSpec[] = [];
  let classifier: string | null = g.classifier;
  if (g.quality && !classifier) {
    const c: ClassifierJob = {
      kind: 'classifier', name: 'classifier', out: CLASSIFIER_PATH, data: g.base.data, imageSize: g.base.imageSize,
      iterations: g.classifierIterations, splitSeed: g.splitSeed, finalTestSize: g.base.finalTestSize,
    };
    jobs.push(c);
    classifier = CLASSIFIER_PATH;
  }
  // seed-major order: after the first seed every norm has a result, so a partial grid is already a comparison
  for (let seed = 1; seed <= g.seeds; seed++) {
    for (const norm of g.norms) {
      const name = runName(norm, seed);
      const job: TrainJob = {
        kind: 'train',
        name,
        config: { ...g.base, norm, seed, splitSeed: g.splitSeed, out: join('runs', name) },
        finalCheckpoints: g.finalLast ? ['best', 'last'] : ['best'],
        finalSteps: g.finalSteps,
        milestones: milestoneIterations(g.base.iterations, g.milestones),
        quality: { classifier: g.quality ? classifier : null, samples: g.qualitySamples, seed: 12345 },
        needs: g.quality && !g.classifier ? ['classifier'] : [],
      };
      jobs.push(job);
    }
  }
  return jobs;
}

/**
 * Settings that may change when an experiment is continued, as gridDifferences names them: they decide when a
 * run gives up, not what it computes. A dataset with more undecodable files than the first command allowed
 * (an LMDB whose entries cannot be removed, say) continues with a higher --max-bad-files.
 */
export const ADJUSTABLE_ON_CONTINUE: readonly `base.${keyof TrainConfig}`[] = ['base.maxBadFiles'];

/** The experiment `old` continued with the adjustable settings of `next` (ADJUSTABLE_ON_CONTINUE). */
export function continuedGrid(old: ExperimentGrid, next: ExperimentGrid): ExperimentGrid {
  const base: Record<string, unknown> = { ...old.base };
  for (const path of ADJUSTABLE_ON_CONTINUE) {
    const field = path.slice('base.'.length) as keyof TrainConfig;
    base[field] = next.base[field];
  }
  return { ...old, base: base as unknown as TrainConfig };
}

/**
 * The flags that differ between two grids (empty when the same), named as a user would recognise them, leaving
 * out the paths in `ignore`.
 */
export function gridDifferences(a: ExperimentGrid, b: ExperimentGrid, ignore: readonly string[] = []): string[] {
  const flat = (o: unknown, prefix = ''): Record<string, string> => {
    const r: Record<string, string> = {};
    if (o && typeof o === 'object' && !Array.isArray(o)) {
      for (const [k, v] of Object.entries(o)) Object.assign(r, flat(v, prefix ? `${prefix}.${k}` : k));
    } else r[prefix] = JSON.stringify(o);
    return r;
  };
  const fa = flat(a);
  const fb = flat(b);
  const keys = new Set([...Object.keys(fa), ...Object.keys(fb)]);
  return [...keys].filter((k) => fa[k] !== fb[k] && !ignore.includes(k)).sort().map((k) => `${k}: ${fa[k] ?? '(unset)'} → ${fb[k] ?? '(unset)'}`);
}
