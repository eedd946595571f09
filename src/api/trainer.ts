/**
 * A training loop for apps: GAN.step() over shuffled epochs of the given images, with callbacks per iteration,
 * per sample grid (G on a fixed z) and per reconstruction test, and pause(), resume() and stop() that take
 * effect between iterations (stop also abandons a reconstruction test in progress). Works in Node and in
 * browsers; the CLI's run folders, logs and divergence guard stay in train/trainer.ts.
 */
import { Rng } from '../util/rng.js';
import { EpochSampler } from '../data/sampler.js';
import type { GAN, StepResult } from './gan.js';
import { imageLoader, type ImageLoader, type ImageSource } from './images.js';
import type { ReconstructResult } from './reconstruct.js';

type Awaitable = void | Promise<void>;

export interface TrainerOptions {
  /** train until the GAN has done this many iterations (counting those restored from a checkpoint) */
  iterations: number;
  /** default: the GAN's config.batchSize */
  batchSize?: number;
  /** a sample grid every N iterations (and after the last); 0: never (default) */
  sampleEvery?: number;
  /** z of the sample grids, [n, codeSize] (default: 64 codes from the seed, as `wngan train` uses) */
  sampleZ?: Float32Array;
  /** held-out images for the reconstruction test */
  testImages?: ImageSource;
  /** a reconstruction test every N iterations; 0: never (default) */
  reconEvery?: number;
  /** z steps of the test (default: the GAN's config.reconSteps, 50) */
  reconSteps?: number;
  /** z of the training draws, [batch, codeSize] per draw (default: the GAN's seeded generator) */
  z?: () => Float32Array;
  onIteration?: (r: StepResult & { seconds: number }) => Awaitable;
  onSamples?: (s: { iteration: number; images: Float32Array; count: number; imageSize: number }) => Awaitable;
  onReconstruction?: (r: ReconstructResult & { iteration: number }) => Awaitable;
}

export type TrainerState = 'idle' | 'running' | 'paused' | 'stopped' | 'done';

const STOP = Symbol('stop');

export class GanTrainer {
  private status: TrainerState = 'idle';
  private stopRequested = false;
  private wake: (() => void) | null = null;
  private readonly data: ImageLoader;
  /** checked up front, so a wrong test set fails before training rather than at the first test */
  private readonly hasTest: boolean;
  private readonly sampler: EpochSampler;
  private readonly sampleZ: Float32Array;

  constructor(readonly gan: GAN, data: ImageSource, readonly options: TrainerOptions) {
    const o = options;
    for (const k of ['iterations', 'batchSize', 'sampleEvery', 'reconEvery', 'reconSteps'] as const) {
      const v = o[k];
      if (v !== undefined && !(Number.isInteger(v) && v >= (k === 'iterations' || k === 'batchSize' ? 1 : 0))) {
        throw new RangeError(`GanTrainer: options.${k} must be a ${k === 'iterations' || k === 'batchSize' ? 'positive' : 'non-negative'} integer, got ${v}`);
      }
    }
    if (o.reconEvery && !o.testImages) throw new Error('GanTrainer: options.reconEvery needs options.testImages (held-out images)');
    this.data = imageLoader(data, gan.imageSize, 'GanTrainer data');
    this.hasTest = o.testImages !== undefined && imageLoader(o.testImages, gan.imageSize, 'GanTrainer testImages').count > 0;
    const batch = o.batchSize ?? gan.config.batchSize;
    const all = Uint32Array.from({ length: this.data.count }, (_, i) => i);
    // the same seeded batch order as `wngan train` draws over its training indices
    this.sampler = new EpochSampler(all, batch, new Rng(gan.config.seed).fork('sampler'));
    this.sampleZ = o.sampleZ ?? fixedZ(gan.config.seed, gan.codeSize);
    if (this.sampleZ.length === 0 || this.sampleZ.length % gan.codeSize !== 0) {
      throw new RangeError(`GanTrainer: options.sampleZ has ${this.sampleZ.length} floats, not n × codeSize ${gan.codeSize}`);
    }
  }

  get state(): TrainerState {
    return this.status;
  }

  /** Wait before the next iteration until resume() (or stop()). */
  pause(): void {
    if (this.status === 'running') this.status = 'paused';
  }

  resume(): void {
    if (this.status === 'paused') this.status = 'running';
    this.wake?.();
  }

  /** Finish the current iteration (abandoning a reconstruction test) and end run(). */
  stop(): void {
    this.stopRequested = true;
    this.wake?.();
  }

  /** Train until options.iterations or stop(); resolves with the iteration reached. */
  async run(): Promise<{ iteration: number; stopped: boolean }> {
    if (this.status === 'running' || this.status === 'paused') throw new Error('GanTrainer: run() is already in progress');
    this.status = 'running';
    this.stopRequested = false;
    const { gan, options: o } = this;
    try {
      while (gan.iteration < o.iterations && !this.stopRequested) {
        await this.waitWhilePaused();
        if (this.stopRequested) break;
        const t0 = performance.now();
        const real = await this.data.gather(this.sampler.nextBatch());
        const zDraws = o.z ? (gan.config.model === 'dcgan' ? [o.z(), o.z()] : [o.z()]) : undefined;
        const r = await gan.step(real, { z: zDraws });
        await o.onIteration?.({ ...r, seconds: (performance.now() - t0) / 1000 });
        const it = r.iteration;
        if (o.onSamples && o.sampleEvery && (it % o.sampleEvery === 0 || it === o.iterations)) {
          const images = await gan.sample(this.sampleZ);
          await o.onSamples({ iteration: it, images, count: this.sampleZ.length / gan.codeSize, imageSize: gan.imageSize });
        }
        if (this.hasTest && o.reconEvery && it % o.reconEvery === 0) await this.reconTest(it);
      }
    } catch (e) {
      this.status = 'idle';
      throw e;
    }
    const stopped = this.stopRequested;
    this.status = stopped ? 'stopped' : 'done';
    return { iteration: gan.iteration, stopped };
  }

  private async waitWhilePaused(): Promise<void> {
    while (this.status === 'paused' && !this.stopRequested) await new Promise<void>((r) => (this.wake = r));
    this.wake = null;
  }

  private async reconTest(iteration: number): Promise<void> {
    if (this.stopRequested) return;
    try {
      const r = await this.gan.reconstruct(this.options.testImages!, {
        steps: this.options.reconSteps ?? this.gan.config.reconSteps,
        onProgress: (done, total) => {
          if (done < total && this.stopRequested) throw STOP;
        },
      });
      await this.options.onReconstruction?.({ ...r, iteration });
    } catch (e) {
      if (e !== STOP) throw e;
    }
  }
}

/** The sample grid's z of `wngan train`: 64 codes from the run's seed. */
function fixedZ(seed: number, codeSize: number): Float32Array {
  const z = new Float32Array(64 * codeSize);
  new Rng(seed).fork('sample-z').fillNormal(z);
  return z;
}
