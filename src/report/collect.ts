/**
 * Reads an experiment folder back into one data model: the grid, and for every run its log (train losses,
 * running reconstruction tests, sample-quality milestones, divergence events) and its result when finished.
 * Everything the report shows comes from these raw files, so `wngan report DIR` can rebuild it at any time.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gridJobs, type ExperimentGrid } from '../experiment/grid.js';
import { readJson, readLog } from '../experiment/files.js';
import type { TrainJob, TrainResult } from '../experiment/spec.js';
import { CLASSIFIER_RECORD, readExperimentRecord, type ClassifierRecord, type ExperimentRecord } from '../experiment/record.js';

export interface RunData {
  job: TrainJob;
  train: { iter: number; lossD: number; lossG: number; sec: number }[];
  recon: { iter: number; mse: number }[];
  quality: { iter: number; fd: number; kid: number; kidStderr: number }[];
  diverged: number;
  result: TrainResult | null;
  /** a run that failed for good on a queue's workers (`<run>/failed.json`), while it has no result */
  failed: { error: string; attempts: number } | null;
  /** milestone sample grids that exist: iteration → absolute path */
  milestoneGrids: Map<number, string>;
  /** final-test reconstruction grids that exist */
  reconGrids: Partial<Record<'best' | 'last', string>>;
}

export interface ExperimentData {
  dir: string;
  record: ExperimentRecord;
  classifier: ClassifierRecord | null;
  runs: RunData[];
}

/** Keep the last entry per iteration: a log written by a crashed older version may repeat some. */
function uniqueByIter<T extends { iter: number }>(xs: T[]): T[] {
  const m = new Map<number, T>();
  for (const x of xs) m.set(x.iter, x);
  return [...m.values()].sort((a, b) => a.iter - b.iter);
}

export async function collectExperiment(dir: string): Promise<ExperimentData> {
  const record = await readExperimentRecord(dir);
  const runs: RunData[] = [];
  for (const job of gridJobs(record.grid)) {
    if (job.kind !== 'train') continue;
    const out = join(dir, job.config.out);
    const log = await readLog(join(out, 'log.jsonl'));
    const of = (t: string) => log.filter((e) => e.type === t);
    const milestoneGrids = new Map<number, string>();
    for (const it of job.milestones) {
      const p = join(out, 'samples', `milestone_${String(it).padStart(6, '0')}.png`);
      if (existsSync(p)) milestoneGrids.set(it, p);
    }
    const reconGrids: RunData['reconGrids'] = {};
    for (const w of ['best', 'last'] as const) if (existsSync(join(out, `final-${w}-recon.png`))) reconGrids[w] = join(out, `final-${w}-recon.png`);
    runs.push({
      job,
      train: uniqueByIter(of('train') as unknown as RunData['train']),
      recon: uniqueByIter((of('recon') as unknown as (RunData['recon'][0] & { split?: string })[]).filter((e) => (e.split ?? 'running') === 'running')),
      quality: uniqueByIter(of('quality') as unknown as RunData['quality']),
      diverged: of('diverged').length,
      result: existsSync(join(out, 'result.json')) ? await readJson<TrainResult>(join(out, 'result.json')) : null,
      failed: !existsSync(join(out, 'result.json')) && existsSync(join(out, 'failed.json')) ? await readJson<{ error: string; attempts: number }>(join(out, 'failed.json')) : null,
      milestoneGrids,
      reconGrids,
    });
  }
  const cpath = join(dir, CLASSIFIER_RECORD);
  const classifier = existsSync(cpath) ? await readJson<ClassifierRecord>(cpath) : null;
  return { dir, record, classifier, runs };
}
