/**
 * Sample quality inside an experiment: the classifier job, and a probe that holds the held-out images'
 * features so that each milestone only generates and embeds samples.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Module } from '../nn/module.js';
import type { TrainConfig } from '../train/config.js';
import { extractFeatures, loadClassifier, sampleQuality, trainClassifier } from '../metrics/index-quality.js';
import { ClassifierStopped } from '../metrics/classifier-train.js';
import type { ClassifierJob } from './spec.js';
import type { JobContext, JobStatus } from './job.js';
import { writeJson } from './files.js';
import { CLASSIFIER_RECORD, type ClassifierRecord } from './record.js';

export class QualityProbe {
  private constructor(
    private readonly classifier: Awaited<ReturnType<typeof loadClassifier>>,
    private readonly realFeatures: Float32Array,
    private readonly config: TrainConfig,
  ) {}

  /** Loads the classifier and embeds the held-out final test images (the same images for every run). */
  static async open(path: string, loadHeldOut: (start: number, n: number) => Promise<Float32Array>, count: number, config: TrainConfig): Promise<QualityProbe> {
    if (!existsSync(path)) throw new Error(`the experiment's classifier ${path} is missing; rerun the experiment command to train it`);
    const c = await loadClassifier(path);
    if (c.meta.imageSize !== config.imageSize) throw new Error(`${path}: the classifier takes ${c.meta.imageSize}px images, the runs ${config.imageSize}px`);
    const real = await extractFeatures(c.classifier, count, loadHeldOut, config.imageSize);
    return new QualityProbe(c, real, config);
  }

  async measure(G: Module, samples: number, seed: number) {
    const q = await sampleQuality(G, this.config.codeSize, this.classifier.classifier, this.realFeatures, samples, seed, this.config.imageSize);
    return { fd: q.fd, kid: q.kid, kidStderr: q.kidStderr, samples };
  }

  dispose(): void {
    this.classifier.classifier.dispose();
  }
}

export async function runClassifierJob(job: ClassifierJob, dir: string, ctx: JobContext): Promise<JobStatus> {
  let r;
  try {
    r = await trainClassifier({
      data: job.data, imageSize: job.imageSize, iterations: job.iterations, splitSeed: job.splitSeed, finalTestSize: job.finalTestSize,
      out: join(dir, job.out), progress: ctx.progress, shouldStop: ctx.shouldStop,
    });
  } catch (e) {
    if (!(e instanceof ClassifierStopped)) throw e;
    ctx.log(`${e.message}; it trains from the start when the experiment is run again`);
    return 'stopped';
  }
  await writeJson(join(dir, CLASSIFIER_RECORD), { path: job.out, accuracy: r.accuracy } satisfies ClassifierRecord);
  ctx.log(`classifier: held-out accuracy ${(100 * r.accuracy).toFixed(2)}%`);
  return 'done';
}
