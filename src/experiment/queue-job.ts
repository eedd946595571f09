/**
 * What goes on the queue for one job spec, and how a worker checks it before acting on it.
 *
 * A queued job is data, never a command: `{ format, dir, spec }`, where `dir` is the experiment folder (a path
 * that every machine mounts at the same place) and `spec` one of its job specs. A worker accepts it only if
 * `dir` is an experiment folder it can read, and `spec` is exactly one of the jobs that folder's own grid
 * (experiment.json) generates, and the job id is that run's id. It then runs the spec it generated itself,
 * so nothing from the queue but a folder and a job name ever reaches the trainer.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { ADJUSTABLE_ON_CONTINUE, gridJobs } from './grid.js';
import { EXPERIMENT_FILE, readExperimentRecord, type ExperimentRecord } from './record.js';
import type { JobSpec } from './spec.js';
import { validateConfig } from '../train/config.js';

export const QUEUED_JOB_FORMAT = 'wngan-queued-job-1';

export interface QueuedJob {
  format: typeof QUEUED_JOB_FORMAT;
  /** the experiment folder: absolute, the same path on every machine */
  dir: string;
  spec: JobSpec;
}

/**
 * The experiment's key: the same for every rerun of the coordinator on one experiment folder, different for a
 * new experiment started in a folder of the same name (its experiment.json has another creation time).
 */
export function experimentKey(dir: string, record: ExperimentRecord): string {
  return createHash('sha256').update(`${resolve(dir)}\n${record.created}`).digest('hex').slice(0, 12);
}

/** A run's id, and its job's id on the queue: `<experiment key>.<job name>` (e.g. `3f2a9c1d0b7e.weight-s1`). */
export function runId(key: string, name: string): string {
  return `${key}.${name}`;
}

/** ADJUSTABLE_ON_CONTINUE's settings as paths in a train job's spec. */
const ADJUSTABLE_IN_SPEC: readonly string[] = ADJUSTABLE_ON_CONTINUE.map((p) => p.replace(/^base\./, 'config.'));

/** Leaf paths whose values differ between two JSON values (as JSON would store them). */
function differences(a: unknown, b: unknown, prefix = ''): string[] {
  const isObj = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object';
  if (isObj(a) && isObj(b) && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => differences(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix || '(the whole spec)'];
}

export interface ValidateOptions {
  /** accept only experiment folders inside this folder (the worker's --root) */
  root?: string;
}

/**
 * Checks a job taken from the queue; returns the experiment folder and the spec to run (the one the folder's
 * grid generates). Throws, naming the problem, for anything else.
 */
export async function validateQueuedJob(id: string | undefined, data: unknown, opts: ValidateOptions = {}): Promise<{ dir: string; spec: JobSpec; record: ExperimentRecord }> {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new Error(`job ${id}: its data is not an object`);
  const d = data as Record<string, unknown>;
  const extra = Object.keys(d).filter((k) => !['format', 'dir', 'spec'].includes(k));
  if (extra.length) throw new Error(`job ${id}: unexpected field(s) ${extra.join(', ')}`);
  if (d.format !== QUEUED_JOB_FORMAT) throw new Error(`job ${id}: format ${JSON.stringify(d.format)}, expected '${QUEUED_JOB_FORMAT}' (is every machine on the same wngan version?)`);
  const dir = d.dir;
  if (typeof dir !== 'string' || !dir || dir.includes('\0') || !isAbsolute(dir) || resolve(dir) !== dir) throw new Error(`job ${id}: 'dir' must be an absolute, normalised path, got ${JSON.stringify(dir)}`);
  if (opts.root) {
    const rel = relative(resolve(opts.root), dir);
    if (rel.startsWith('..') || isAbsolute(rel)) throw new Error(`job ${id}: ${dir} is outside this worker's --root ${resolve(opts.root)}`);
  }
  if (!existsSync(join(dir, EXPERIMENT_FILE))) throw new Error(`job ${id}: ${dir} is not an experiment folder on this machine (no ${EXPERIMENT_FILE}); mount the shared results folder at the same path on every machine`);
  const spec = d.spec;
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) throw new Error(`job ${id}: 'spec' is not an object`);
  const s = spec as Record<string, unknown>;
  if (s.kind !== 'train' && s.kind !== 'classifier') throw new Error(`job ${id}: unknown job kind ${JSON.stringify(s.kind)} (a worker runs only 'train' and 'classifier' job specs)`);
  if (typeof s.name !== 'string' || !/^[a-z0-9][a-z0-9-]{0,63}$/.test(s.name)) throw new Error(`job ${id}: bad job name ${JSON.stringify(s.name)}`);
  const record = await readExperimentRecord(dir);
  const expected = gridJobs(record.grid).find((j) => j.name === s.name);
  if (!expected) throw new Error(`job ${id}: ${dir} has no job named '${s.name}'`);
  const wantId = runId(experimentKey(dir, record), expected.name);
  if (id !== wantId) throw new Error(`job ${id}: the id of job '${s.name}' of ${dir} is ${wantId}`);
  // a job queued before the experiment was continued with other adjustable settings (ADJUSTABLE_ON_CONTINUE)
  // differs in those: it runs with the folder's current values, which are the ones returned
  const diff = differences(JSON.parse(JSON.stringify(expected)), spec).filter((p) => !ADJUSTABLE_IN_SPEC.includes(p));
  if (diff.length) throw new Error(`job ${id}: the spec differs from job '${s.name}' of ${dir} in ${diff.slice(0, 5).join(', ')}${diff.length > 5 ? ', ...' : ''}`);
  if (expected.kind === 'train') validateConfig(expected.config);
  return { dir, spec: expected, record };
}
