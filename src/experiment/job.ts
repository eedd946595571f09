/**
 * Runs one job spec to completion, or as far as it gets before a stop request, so that running the same spec
 * again continues where it stopped and computes nothing twice: a finished run has `result.json` and is
 * skipped; an unfinished one resumes from `last.safetensors` (the trainer drops log lines after the
 * checkpoint); a final test saves its per-image errors after every chunk and continues from them.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DivergenceError, Trainer } from '../train/trainer.js';
import { buildGan, disposeGan, type Gan } from '../train/gan.js';
import { loadCheckpoint } from '../train/checkpoint.js';
import type { TrainConfig } from '../train/config.js';
import { reconstructionError } from '../metrics/reconstruction.js';
import { writeImageGrid } from '../util/png-grid.js';
import { readJson, readLog, writeJson } from './files.js';
import { currentRuntime } from '../tensor/engine.js';
import type { ClassifierJob, FinalTest, JobSpec, QualityMeasure, TrainJob, TrainResult } from './spec.js';
import { QualityProbe, runClassifierJob } from './quality.js';
import { CLASSIFIER_RECORD } from './record.js';

export interface JobProgress {
  update(done: number, info?: Record<string, string>): void;
  log(line: string): void;
  stop(): void;
}

export interface JobContext {
  /** a progress display (the CLI passes its bar; tests pass a silent one) */
  progress(label: string, total: number, start?: number): JobProgress;
  log(line: string): void;
  /** checked after every training iteration and final-test chunk */
  shouldStop(): boolean;
}

export type JobStatus = 'done' | 'stopped';

/** Images per saved chunk of a final test: a multiple of the metric's batch of 32, so chunks change nothing. */
export const FINAL_TEST_CHUNK = 256;

export function isDone(dir: string, job: JobSpec): boolean {
  // the classifier's record is written after its checkpoint: both, or the job runs again
  if (job.kind === 'classifier') return existsSync(join(dir, job.out)) && existsSync(join(dir, CLASSIFIER_RECORD));
  return existsSync(join(dir, job.config.out, 'result.json'));
}

export async function runJob(job: JobSpec, dir: string, ctx: JobContext): Promise<JobStatus> {
  if (isDone(dir, job)) return 'done';
  return job.kind === 'classifier' ? runClassifierJob(job as ClassifierJob, dir, ctx) : runTrainJob(job, dir, ctx);
}

async function runTrainJob(job: TrainJob, dir: string, ctx: JobContext): Promise<JobStatus> {
  const out = join(dir, job.config.out);
  const config: TrainConfig = { ...job.config, out };
  const last = join(out, 'last.safetensors');
  const divergedPath = join(out, 'diverged.json');
  let trainer: Trainer;
  if (existsSync(last) || existsSync(divergedPath)) {
    // a run that diverged for good before its first checkpoint has nothing to resume: rebuild it untrained
    trainer = existsSync(last) ? await Trainer.resume(last, { out, iterations: config.iterations }) : await Trainer.create(config);
    ctx.log(`${job.name}: resuming from iteration ${trainer.iteration}`);
  } else {
    // nothing resumable: whatever an interrupted first attempt left (log lines, samples) would mix with this one
    await rm(out, { recursive: true, force: true });
    await mkdir(out, { recursive: true });
    trainer = await Trainer.create(config);
  }
  let probe: QualityProbe | null = null;
  try {
    const training = (trainer.iteration < config.iterations || trainer.reconPending) && !existsSync(divergedPath);
    // resolve, not join: a classifier given on the command line is an absolute path
    if (training && job.quality.classifier) probe = await QualityProbe.open(resolve(dir, job.quality.classifier), trainer.testLoader(trainer.split.finalTest), trainer.split.finalTest.length, config);
    if (training) {
      const bar = ctx.progress(`${job.name} train`, config.iterations, trainer.iteration);
      try {
        await trainer.run({
          onIteration: (l) => bar.update(l.iter, { D: l.lossD.toFixed(3), G: l.lossG.toFixed(3) }),
          onEvent: (e) => bar.log(`${job.name}: ${e}`),
          afterIteration: async (it) => {
            if (!job.milestones.includes(it)) return;
            await trainer.writeSamples(join(out, 'samples', `milestone_${String(it).padStart(6, '0')}.png`));
            if (probe) {
              const q = await probe.measure(trainer.gan.G, job.quality.samples, job.quality.seed);
              await trainer.log({ type: 'quality', iter: it, ...q });
              bar.log(`${job.name}: iteration ${it}: FD ${q.fd.toFixed(3)}, KID ${q.kid.toFixed(5)} ± ${q.kidStderr.toFixed(5)}`);
            }
          },
          shouldStop: ctx.shouldStop,
        });
      } catch (e) {
        // a run that diverges for good is a result of the comparison (the paper: vanilla collapses), not a
        // crash of the experiment: record it, so a rerun does not train it again, and test what it reached
        if (!(e instanceof DivergenceError)) throw e;
        await writeJson(divergedPath, { iter: trainer.iteration, message: e.message });
        ctx.log(`${job.name}: ${e.message}; its checkpoints are tested as they are`);
      } finally {
        bar.stop();
      }
      if ((trainer.iteration < config.iterations || trainer.reconPending) && !existsSync(divergedPath)) return 'stopped';
    }
    if (ctx.shouldStop()) return 'stopped';
    const final: TrainResult['final'] = {};
    for (const which of job.finalCheckpoints) {
      const r = await finalTest(job, out, which, trainer, ctx);
      if (!r) return 'stopped';
      final[which] = r;
    }
    const log = await readLog(join(out, 'log.jsonl'));
    // the final model's quality (a run that diverged for good: its last measurement before that)
    const qualityAtEnd = log.filter((e) => e.type === 'quality').pop() as unknown as QualityMeasure | undefined;
    const diverged = existsSync(divergedPath) ? await readJson<{ iter: number }>(divergedPath) : null;
    const result: TrainResult = {
      name: job.name,
      norm: config.norm,
      seed: config.seed,
      iterations: config.iterations,
      trainSeconds: log.filter((e) => e.type === 'train').reduce((s, e) => s + (e.sec as number), 0),
      evalSeconds: Object.values(final).reduce((s, f) => s + f.seconds, 0),
      // a `diverged` event without a restart is the one where the guard gave up
      restarts: log.filter((e) => e.type === 'diverged' && e.restart !== null).length,
      divergedAt: diverged ? diverged.iter + 1 : null,
      final,
      quality: qualityAtEnd ? { iter: qualityAtEnd.iter, fd: qualityAtEnd.fd, kid: qualityAtEnd.kid, kidStderr: qualityAtEnd.kidStderr, samples: qualityAtEnd.samples } : null,
      adapter: currentRuntime().adapter.description,
    };
    await writeJson(join(out, 'result.json'), result);
    return 'done';
  } finally {
    probe?.dispose();
    trainer.dispose();
  }
}

interface PartialFinal {
  checkpoint: string;
  iteration: number;
  steps: number;
  images: number;
  /** per-image errors of the first `done` images */
  perImage: number[];
  seconds: number;
}

/**
 * The paper's final test of one checkpoint on the held-out images, in chunks: each chunk's per-image errors
 * are saved before the next starts, so an interrupted test continues where it stopped. Also writes
 * `final-<which>-recon.png`: 16 test images above their reconstructions.
 */
async function finalTest(job: TrainJob, out: string, which: 'best' | 'last', trainer: Trainer, ctx: JobContext): Promise<FinalTest | null> {
  const donePath = join(out, `final-${which}.json`);
  if (existsSync(donePath)) return readJson<FinalTest>(donePath);
  const partialPath = join(out, `final-${which}.partial.json`);
  const c = trainer.config;
  // best.safetensors only exists once a running test has run; without one, the last state stands in
  const file = which === 'best' && existsSync(join(out, 'best.safetensors')) ? 'best.safetensors' : 'last.safetensors';
  // diverged for good before its first checkpoint: nothing to test
  if (!existsSync(join(out, file))) return { mse: NaN, perImageSquaredDistance: NaN, images: 0, steps: job.finalSteps, iteration: 0, seconds: 0 };
  const gan: Gan = buildGan(c);
  try {
    const meta = await loadCheckpoint(join(out, file), { modules: { G: gan.G, D: gan.D } }, false);
    const indices = trainer.split.finalTest;
    let partial: PartialFinal = { checkpoint: file, iteration: meta.iteration, steps: job.finalSteps, images: indices.length, perImage: [], seconds: 0 };
    if (existsSync(partialPath)) {
      const p = await readJson<PartialFinal>(partialPath);
      if (p.checkpoint === file && p.iteration === meta.iteration && p.steps === job.finalSteps && p.images === indices.length) partial = p;
    }
    const bar = ctx.progress(`${job.name} final test (${which}, ${job.finalSteps} steps)`, indices.length, partial.perImage.length);
    const S = c.imageSize;
    for (let start = partial.perImage.length; start < indices.length; start += FINAL_TEST_CHUNK) {
      const chunk = indices.subarray(start, Math.min(indices.length, start + FINAL_TEST_CHUNK));
      const t0 = performance.now();
      // the trainer's loader skips undecodable images as training does
      const r = await reconstructionError(gan.G, chunk.length, trainer.testLoader(chunk), [3, S, S], {
        codeSize: c.codeSize, steps: job.finalSteps, keepImages: start === 0, onBatch: (done) => bar.update(start + done),
      });
      if (start === 0) await writeReconGrid(join(out, `final-${which}-recon.png`), await trainer.testLoader(chunk)(0, Math.min(16, chunk.length)), r.reconstructions!, S);
      partial = { ...partial, perImage: [...partial.perImage, ...r.perImage], seconds: partial.seconds + (performance.now() - t0) / 1000 };
      await writeJson(partialPath, partial);
      if (ctx.shouldStop() && partial.perImage.length < indices.length) {
        bar.stop();
        return null;
      }
    }
    bar.stop();
    const mse = partial.perImage.reduce((s, e) => s + e, 0) / partial.perImage.length;
    const result: FinalTest = {
      mse, perImageSquaredDistance: mse * 3 * S * S, images: indices.length, steps: job.finalSteps, iteration: partial.iteration, seconds: partial.seconds,
    };
    await writeJson(donePath, { ...result, checkpoint: file });
    await rm(partialPath, { force: true });
    ctx.log(`${job.name}: final test (${which}, iteration ${result.iteration}): MSE ${mse.toFixed(6)}`);
    return result;
  } finally {
    disposeGan(gan);
  }
}

async function writeReconGrid(path: string, originals: Float32Array, recon: Float32Array, S: number): Promise<void> {
  const per = 3 * S * S;
  const n = originals.length / per;
  const grid = new Float32Array(2 * n * per);
  grid.set(originals, 0);
  grid.set(recon.subarray(0, n * per), n * per);
  await writeImageGrid(path, grid, 2 * n, S, n);
}
