/** The machine-readable summary of an experiment (`report/summary.json`): per norm, over finished seeds. */
import type { ExperimentData, RunData } from './collect.js';
import { mean, ratioOfMeans, std } from './stats.js';

export interface Stat {
  mean: number | null;
  std: number | null;
  /** one value per finished seed, in seed order */
  values: number[];
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
  /** final-test error of WN (norm 'weight') over BN ('batch'): below 1 means WN reconstructs better */
  ratio_wn_bn: number | null;
  ratio_wn_bn_ci95: [number, number] | null;
  ratio_method: string;
}

const stat = (values: number[]): Stat => ({
  mean: values.length ? mean(values) : null,
  std: values.length ? std(values) : null,
  values,
});
const num = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

export function summarise(data: ExperimentData): Summary {
  const g = data.record.grid;
  const norms: Record<string, NormSummary> = {};
  for (const norm of g.norms) {
    const runs = data.runs.filter((r) => r.job.config.norm === norm);
    const done = runs.filter((r): r is RunData & { result: NonNullable<RunData['result']> } => r.result !== null);
    const last = done.map((r) => r.result.final.last?.mse).filter(num);
    norms[norm] = {
      seeds: done.length,
      seedsPlanned: runs.length,
      recon: stat(done.map((r) => r.result.final.best?.mse).filter(num)),
      reconLast: g.finalLast ? stat(last) : null,
      fd: stat(done.map((r) => r.result.quality?.fd).filter(num)),
      kid: stat(done.map((r) => r.result.quality?.kid).filter(num)),
      kidStderrMean: done.some((r) => r.result.quality) ? mean(done.map((r) => r.result.quality?.kidStderr).filter(num)) : null,
      restarts: stat(done.map((r) => r.result.restarts)),
      divergedRuns: done.filter((r) => r.result.divergedAt != null).length,
      trainSeconds: stat(done.map((r) => r.result.trainSeconds)),
      evalSeconds: stat(done.map((r) => r.result.evalSeconds)),
      bestRunningRecon: stat(runs.filter((r) => r.recon.length).map((r) => Math.min(...r.recon.map((e) => e.mse)))),
    };
  }
  const wn = norms.weight?.recon.values ?? [];
  const bn = norms.batch?.recon.values ?? [];
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
    ratio_wn_bn: ratio ? ratio.ratio : null,
    ratio_wn_bn_ci95: ratio && Number.isFinite(ratio.low) ? [ratio.low, ratio.high] : null,
    ratio_method: ratio?.method ?? 'needs finished runs of both weight and batch',
  };
}
