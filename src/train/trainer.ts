/**
 * The training run: data split and sampler, the iteration loop, JSONL logging, sample grids from a fixed z,
 * the running reconstruction test with the best checkpoint kept, atomic checkpoints with exact resume,
 * a divergence guard, and a clean stop on Ctrl-C (the current iteration finishes and is checkpointed).
 */
import { mkdir, appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Rng } from '../util/rng.js';
import { openDataset } from '../data/open.js';
import { loadBatch, type ImageDataset } from '../data/dataset.js';
import { splitIndices, type DataSplit } from '../data/split.js';
import { EpochSampler } from '../data/sampler.js';
import { collectState, applyState } from './state.js';
import { loadCheckpoint, readCheckpointMeta, saveCheckpoint } from './checkpoint.js';
import { buildGan, disposeGan, generateImages, sampleZ, setLrScale, trainIteration, type Gan } from './gan.js';
import { validateConfig, type TrainConfig } from './config.js';
import { reconstructionError } from '../metrics/reconstruction.js';
import { writeImageGrid } from '../util/png-grid.js';
import type { SafeTensor } from '../io/safetensors.js';
import { currentRuntime } from '../tensor/engine.js';

export interface IterationLog {
  iter: number;
  lossD: number;
  lossG: number;
  /** seconds this iteration took (wall clock, including the loss readback) */
  sec: number;
}

export interface TrainHooks {
  onIteration?(log: IterationLog): void;
  onEvent?(message: string): void;
  /** checked after every iteration: stop early (a checkpoint is written first) */
  shouldStop?(): boolean;
}

export class DivergenceError extends Error {}

/** The paper's seeded split for a run: the held-out test sets are the same whenever the config is. */
export function runSplit(c: TrainConfig, length: number): DataSplit {
  return splitIndices(length, c.seed, { finalTestSize: c.finalTestSize, runningTestSize: c.runningTestSize });
}

interface Snapshot {
  iteration: number;
  tensors: Record<string, SafeTensor>;
  rng: string;
  sampler: string;
  steps: [number, number];
}

export class Trainer {
  iteration = 0;
  bestRecon = Infinity;
  /** the latest running reconstruction test (reused by callers that want the final figure) */
  lastRecon: { iter: number; mse: number; perImageSquaredDistance: number } | null = null;
  private lrScaleUntil = 0;
  private restarts = 0;
  private snapshot: Snapshot | null = null;
  private readonly fixedZ: Float32Array;

  private constructor(
    readonly config: TrainConfig,
    readonly gan: Gan,
    readonly data: ImageDataset,
    readonly split: DataSplit,
    readonly sampler: EpochSampler,
    readonly rngZ: Rng,
  ) {
    this.fixedZ = new Float32Array(64 * config.codeSize);
    new Rng(config.seed).fork('sample-z').fillNormal(this.fixedZ);
  }

  static async create(config: TrainConfig): Promise<Trainer> {
    validateConfig(config);
    const data = await openDataset({ ...config.data, imageSize: config.imageSize });
    const split = runSplit(config, data.length);
    const root = new Rng(config.seed);
    const sampler = new EpochSampler(split.train, config.batchSize, root.fork('sampler'));
    return new Trainer(config, buildGan(config), data, split, sampler, root.fork('z'));
  }

  /** Continue a run from its checkpoint: weights, optimiser states and counters, RNG and sampler state. */
  static async resume(checkpointPath: string, override: Partial<TrainConfig> = {}): Promise<Trainer> {
    const meta = await readCheckpointMeta(checkpointPath);
    const t = await Trainer.create({ ...(meta.config as TrainConfig), ...override });
    const m = await loadCheckpoint(checkpointPath, t.owners());
    t.iteration = m.iteration;
    t.rngZ.setState(m.rng as string);
    t.sampler.setState(m.sampler as string);
    [t.gan.optG.step_, t.gan.optD.step_] = m.optimizerSteps as [number, number];
    t.bestRecon = (m.bestRecon as number | null) ?? Infinity;
    t.restarts = (m.restarts as number) ?? 0;
    t.lrScaleUntil = (m.lrScaleUntil as number) ?? 0;
    return t;
  }

  owners() {
    return { modules: { G: this.gan.G, D: this.gan.D }, optimizers: { G: this.gan.optG, D: this.gan.optD } };
  }

  private meta() {
    return {
      iteration: this.iteration,
      config: this.config,
      rng: this.rngZ.getState(),
      sampler: this.sampler.getState(),
      optimizerSteps: [this.gan.optG.step_, this.gan.optD.step_],
      bestRecon: Number.isFinite(this.bestRecon) ? this.bestRecon : null,
      restarts: this.restarts,
      lrScaleUntil: this.lrScaleUntil,
    };
  }

  async saveCheckpoint(name = 'last.safetensors'): Promise<string> {
    const path = join(this.config.out, name);
    await saveCheckpoint(path, this.owners(), this.meta());
    return path;
  }

  private async log(entry: object): Promise<void> {
    await appendFile(join(this.config.out, 'log.jsonl'), JSON.stringify(entry) + '\n');
  }

  /** Images of the held-out set, NCHW. */
  testLoader(indices: Uint32Array) {
    return (start: number, n: number) => loadBatch(this.data, indices.subarray(start, start + n));
  }

  async writeSamples(path: string, count = 64): Promise<void> {
    const host = await generateImages(this.gan.G, this.fixedZ, count, this.config.codeSize);
    await writeImageGrid(path, host, count, this.config.imageSize);
  }

  async runningTest(steps = this.config.reconSteps, indices = this.split.runningTest) {
    return reconstructionError(this.gan.G, indices.length, this.testLoader(indices), [3, this.config.imageSize, this.config.imageSize], {
      codeSize: this.config.codeSize,
      steps,
    });
  }

  private async takeSnapshot(): Promise<void> {
    this.snapshot = {
      iteration: this.iteration,
      tensors: await collectState(this.owners()),
      rng: this.rngZ.getState(),
      sampler: this.sampler.getState(),
      steps: [this.gan.optG.step_, this.gan.optD.step_],
    };
  }

  private restoreSnapshot(): void {
    const s = this.snapshot!;
    applyState(this.owners(), s.tensors, 'in-memory snapshot');
    this.iteration = s.iteration;
    // draw different z than the diverged attempt did, deterministically
    this.rngZ.setState(s.rng);
    for (let k = 0; k < this.restarts; k++) this.rngZ.nextU32();
    this.sampler.setState(s.sampler);
    [this.gan.optG.step_, this.gan.optD.step_] = s.steps;
  }

  /** Train until `config.iterations` (or until hooks.shouldStop()); returns the last iteration's losses. */
  async run(hooks: TrainHooks = {}): Promise<IterationLog | null> {
    const c = this.config;
    const rt = currentRuntime();
    await mkdir(join(c.out, 'samples'), { recursive: true });
    await writeFile(join(c.out, 'config.json'), JSON.stringify(c, null, 2));
    if (c.divergenceGuard) await this.takeSnapshot();
    let last: IterationLog | null = null;
    while (this.iteration < c.iterations) {
      const it = this.iteration + 1;
      const t0 = performance.now();
      const real = await loadBatch(this.data, this.sampler.nextBatch());
      setLrScale(this.gan, c, it <= this.lrScaleUntil ? c.guardLrFactor : 1);
      const { lossD, lossG } = trainIteration(this.gan, real, () => sampleZ(this.rngZ, c.batchSize, c.codeSize), c.batchSize, c.imageSize);
      rt.flush();
      const [d, g] = [await lossD.item(), await lossG.item()];
      lossD.dispose();
      lossG.dispose();
      const bad = !Number.isFinite(d) || !Number.isFinite(g) || d > c.explodeThreshold || g > c.explodeThreshold;
      if (bad) {
        const what = `iteration ${it}: losses D=${d} G=${g} (${Number.isFinite(d) && Number.isFinite(g) ? `above the explode threshold ${c.explodeThreshold}` : 'not finite'})`;
        await this.log({ type: 'diverged', iter: it, lossD: d, lossG: g, restart: this.restarts + 1 });
        if (!c.divergenceGuard || !this.snapshot) throw new DivergenceError(`training diverged at ${what}; rerun with a smaller learning rate, or with the divergence guard on`);
        if (++this.restarts > c.maxRestarts) throw new DivergenceError(`training diverged at ${what} again after ${c.maxRestarts} restarts; giving up (try a smaller --lr)`);
        this.restoreSnapshot();
        this.lrScaleUntil = this.iteration + c.guardIterations;
        hooks.onEvent?.(`diverged at ${what}; restarted from iteration ${this.iteration} with lr ×${c.guardLrFactor} for ${c.guardIterations} iterations (restart ${this.restarts}/${c.maxRestarts})`);
        continue;
      }
      this.iteration = it;
      last = { iter: it, lossD: d, lossG: g, sec: (performance.now() - t0) / 1000 };
      await this.log({ type: 'train', ...last });
      hooks.onIteration?.(last);

      if (it % c.sampleEvery === 0 || it === c.iterations) await this.writeSamples(join(c.out, 'samples', `iter_${String(it).padStart(6, '0')}.png`));
      if (it % c.reconEvery === 0) {
        const r = await this.runningTest();
        this.lastRecon = { iter: it, mse: r.mse, perImageSquaredDistance: r.perImageSquaredDistance };
        const best = r.mse < this.bestRecon;
        if (best) this.bestRecon = r.mse;
        await this.log({ type: 'recon', iter: it, split: 'running', steps: c.reconSteps, mse: r.mse, best });
        hooks.onEvent?.(`iteration ${it}: running reconstruction MSE ${r.mse.toFixed(5)}${best ? ' (best)' : ''}`);
        if (best) await this.saveCheckpoint('best.safetensors');
      }
      const stop = hooks.shouldStop?.() ?? false;
      if (it % c.checkpointEvery === 0 || it === c.iterations || stop) {
        await this.saveCheckpoint();
        if (c.divergenceGuard) await this.takeSnapshot();
      }
      if (stop) break;
    }
    return last;
  }

  dispose(): void {
    disposeGan(this.gan);
    void this.data.close?.();
  }
}

