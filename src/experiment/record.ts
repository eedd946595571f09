/** The files that describe an experiment folder: what was started (experiment.json) and with which classifier. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentGrid } from './grid.js';
import { readJson } from './files.js';

export const EXPERIMENT_FILE = 'experiment.json';
export const EXPERIMENT_FORMAT = 'wngan-experiment-1';

/** `DIR/experiment.json`: the grid and where and how the experiment was started. */
export interface ExperimentRecord {
  format: typeof EXPERIMENT_FORMAT;
  grid: ExperimentGrid;
  /** the command line that started it (the same command continues it) */
  command: string;
  created: string;
  adapter: string;
  commit: string | null;
}

/** `DIR/classifier.json`: the feature classifier FD/KID were measured with. */
export interface ClassifierRecord {
  path: string;
  /** accuracy on the held-out final test images */
  accuracy: number;
}
export const CLASSIFIER_RECORD = 'classifier.json';

export async function readExperimentRecord(dir: string): Promise<ExperimentRecord> {
  const path = join(dir, EXPERIMENT_FILE);
  if (!existsSync(path)) throw new Error(`${dir} is not an experiment folder (no ${EXPERIMENT_FILE}); start one with wngan experiment --out ${dir}`);
  const r = await readJson<ExperimentRecord>(path);
  if (r.format !== EXPERIMENT_FORMAT) throw new Error(`${path}: format ${JSON.stringify(r.format)}, expected '${EXPERIMENT_FORMAT}'`);
  return r;
}

