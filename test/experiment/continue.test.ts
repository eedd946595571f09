/**
 * Continuing an experiment with another --max-bad-files (ADJUSTABLE_ON_CONTINUE): the grid comparison leaves it
 * out, the continued grid takes the new value, and a job queued before the change still validates on a worker,
 * which runs it with the folder's current value. No GPU, no Redis.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ADJUSTABLE_ON_CONTINUE, continuedGrid, gridDifferences, gridJobs, type ExperimentGrid } from '../../src/experiment/grid.js';
import { EXPERIMENT_FILE, EXPERIMENT_FORMAT, type ExperimentRecord } from '../../src/experiment/record.js';
import { experimentKey, QUEUED_JOB_FORMAT, runId, validateQueuedJob } from '../../src/experiment/queue-job.js';
import { DEFAULTS } from '../../src/train/config.js';
import type { TrainJob } from '../../src/experiment/spec.js';

const grid = (maxBadFiles: number, lrD = DEFAULTS.lrD): ExperimentGrid => ({
  norms: ['batch', 'weight'], seeds: 1, base: { ...DEFAULTS, maxBadFiles, lrD, out: '' }, splitSeed: 1, finalSteps: 10, finalLast: false,
  milestones: 2, qualitySamples: 100, classifier: '/x/classifier.safetensors', classifierIterations: 10, quality: true,
});

const dir = mkdtempSync(join(tmpdir(), 'wngan-continue-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('continuing an experiment with another --max-bad-files', () => {
  it('is the only difference the comparison leaves out, and the continued grid takes it', () => {
    expect(gridDifferences(grid(1), grid(5))).toEqual(['base.maxBadFiles: 1 → 5']);
    expect(gridDifferences(grid(1), grid(5), ADJUSTABLE_ON_CONTINUE)).toEqual([]);
    expect(gridDifferences(grid(1), grid(5, 3e-4), ADJUSTABLE_ON_CONTINUE)).toEqual(['base.lrD: 0.0001 → 0.0003']);
    const c = continuedGrid(grid(1), grid(5));
    expect(c.base.maxBadFiles).toBe(5);
    expect(gridDifferences(c, grid(5))).toEqual([]);
  });

  it('a job queued before the change validates and runs with the new value; other changes are still rejected', async () => {
    const record: ExperimentRecord = { format: EXPERIMENT_FORMAT, grid: grid(5), command: 'wngan experiment', created: '2026-12-03T00:00:00.000Z', adapter: 'test', commit: null };
    writeFileSync(join(dir, EXPERIMENT_FILE), JSON.stringify(record));
    const queued = gridJobs(grid(1)).find((j) => j.name === 'weight-s1') as TrainJob;
    const id = runId(experimentKey(dir, record), 'weight-s1');
    const { spec } = await validateQueuedJob(id, { format: QUEUED_JOB_FORMAT, dir, spec: queued });
    expect((spec as TrainJob).config.maxBadFiles).toBe(5);
    const tampered = { ...queued, config: { ...queued.config, lrD: 1 } };
    await expect(validateQueuedJob(id, { format: QUEUED_JOB_FORMAT, dir, spec: tampered })).rejects.toThrow(/the spec differs from job 'weight-s1'.*config\.lrD/);
  });
});
