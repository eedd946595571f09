/** The machine-readable summary of an experiment (`report/summary.json`): per norm, over finished seeds. */
import type { ExperimentData, RunData } from './collect.js';
import { mean, ratioOfMeans, std } from './stats.js';

export interface Stat {
  mean: number | null;
  /** sample standard deviation over seeds; null with fewer than two (unknown, not zero) */
  std: number | null;
  /** one value per finished seed that has one, in seed order */
  values: number[];
  /** the seeds of `values` */
  seeds: number[];
}

export interface NormSummary {
  /** finished seeds (runs with a result) */
  seeds: number;
  seedsPlanned: number;
  /** final-test MSE per pixel per channel of the best checkpoint (the paper's figure) */
  recon: Stat;
  /** the same for the last checkpoint, where --final-last ran */
  reconLast: Stat | null;
  fd: Stat;
  kid: Stat;
  /** the mean over seeds of KID's own standard error */
  kidStderrMean: number | null;
  restarts: Stat;
  /** runs whose training diverged for good (the guard gave up); their checkpoints were tested as they were */
  divergedRuns: number;
  trainSeconds: Stat;
  evalSeconds: Stat;
  /** lowest running reconstruction error over training, mean over seeds that have one */
  bestRunningRecon: Stat;
}

export interface Summary {
  format: 'wngan-experiment-summary-1';
  generated: string;
  complete: boolean;
  command: string;
  commit: string | null;
  adapter: string;
  config: unknown;
  finalSteps: number;
  finalTestImages: number;
  classifierAccuracy: number | null;
  norms: Record<string, NormSummary>;
  /** runs that failed for good (on a queue's workers), with their error */
  failed: { name: string; error: string; attempts: number }[];
  /** final-test error of WN (norm 'weight') over BN ('batch'): below 1 means WN reconstructs better */
  ratio_wn_bn: number | null;
  ratio_wn_bn_ci95: [number, number] | null;
  ratio_method: string;
}

const num = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);
/** A statistic over the runs that have a finite value, keeping which seed each value came from. */
function stat(runs: RunData[], pick: (r: RunData) => number | null | undefined): Stat {
  const pairs = runs.map((r) => [r.job.config.seed, pick(r)] as const).filter((p): p is readonly [number, number] => num(p[1]));
  const values = pairs.map((p) => p[1]);
  return { mean: values.length ? mean(values) : null, std: values.length > 1 ? std(values) : null, values, seeds: pairs.map((p) => p[0]) };
}

export function summarise(data: ExperimentData): Summary {
  const g = data.record.grid;
  const norms: Record<string, NormSummary> = {};
  for (const norm of g.norms) {
    const runs = data.runs.filter((r) => r.job.config.norm === norm);
    const done = runs.filter((r): r is RunData & { result: NonNullable<RunData['result']> } => r.result !== null);
    norms[norm] = {
      seeds: done.length,
      seedsPlanned: runs.length,
      recon: stat(done, (r) => r.result!.final.best?.mse),
      reconLast: g.finalLast ? stat(done, (r) => r.result!.final.last?.mse) : null,
      fd: stat(done, (r) => r.result!.quality?.fd),
      kid: stat(done, (r) => r.result!.quality?.kid),
      kidStderrMean: done.some((r) => r.result.quality) ? mean(done.map((r) => r.result.quality?.kidStderr).filter(num)) : null,
      restarts: stat(done, (r) => r.result!.restarts),
      divergedRuns: done.filter((r) => r.result.divergedAt != null).length,
      trainSeconds: stat(done, (r) => r.result!.trainSeconds),
      evalSeconds: stat(done, (r) => r.result!.evalSeconds),
      bestRunningRecon: stat(runs, (r) => (r.recon.length ? Math.min(...r.recon.map((e) => e.mse)) : null)),
    };
  }
  // over the seeds both norms have finished, so a half-done experiment compares like with like
  const common = (norms.weight?.recon.seeds ?? []).filter((s) => norms.batch?.recon.seeds.includes(s));
  const wn = common.map((s) => norms.weight.recon.values[norms.weight.recon.seeds.indexOf(s)]);
  const bn = common.map((s) => norms.batch.recon.values[norms.batch.recon.seeds.indexOf(s)]);
  const ratio = wn.length && bn.length ? ratioOfMeans(wn, bn) : null;
  return {
    format: 'wngan-experiment-summary-1',
    generated: new Date().toISOString(),
    complete: data.runs.every((r) => r.result !== null),
    command: data.record.command,
    commit: data.record.commit,
    adapter: data.record.adapter,
    config: g.base,
    finalSteps: g.finalSteps,
    finalTestImages: g.base.finalTestSize,
    classifierAccuracy: data.classifier?.accuracy ?? null,
    norms,
    failed: data.runs.filter((r) => r.failed).map((r) => ({ name: r.job.name, error: r.failed!.error, attempts: r.failed!.attempts })),
    ratio_wn_bn: ratio ? ratio.ratio : null,
    ratio_wn_bn_ci95: ratio && Number.isFinite(ratio.low) ? [ratio.low, ratio.high] : null,
    ratio_method: ratio?.method ?? 'needs finished runs of both weight and batch',
  };
}
