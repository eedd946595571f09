/**
 * The training run: data split and sampler, the iteration loop, JSONL logging, sample grids from a fixed z,
 * the running reconstruction test with the best checkpoint kept, atomic checkpoints with exact resume,
 * a divergence guard, undecodable images skipped, and a clean stop (the current iteration finishes and is
 * checkpointed; a running test in progress is abandoned and redone on resume).
 */
import { appendFile, readdir, rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { Rng } from '../util/rng.js';
import { openDataset } from '../data/open.js';
import type { ImageDataset } from '../data/dataset.js';
import { splitIndices, type DataSplit } from '../data/split.js';
import { EpochSampler } from '../data/sampler.js';
import { collectState, applyState } from './state.js';
import { loadCheckpoint, readCheckpointMeta, saveCheckpoint } from './checkpoint.js';
import { buildGan, disposeGan, generateImages, sampleZ, setLrScale, trainIteration, type Gan } from './gan.js';
import { FIXED_ON_RESUME, flagOf, sameSetting, validateConfig, type TrainConfig } from './config.js';
import { checkRunFolderWritable, configFromCheckpoint, resolveResume, RUN_RELATIVE, storedConfig } from './run-folder.js';
import { truncateLog } from './run-log.js';
import { SkippingLoader, TooManyBadFilesError, type BadFile } from './bad-files.js';
import { reconstructionError } from '../metrics/reconstruction.js';
import { writeImageGrid } from '../util/png-grid.js';
import { removeStaleTempFiles, writeFileAtomic } from '../io/atomic-write.js';
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
  /**
   * awaited after every iteration is logged and before its checkpoint (e.g. a sample-quality measurement
   * at milestones): whatever it records belongs to this iteration and is redone if the run resumes from an
   * earlier checkpoint
   */
  afterIteration?(iter: number): Promise<void>;
  /** checked after every iteration and every running-test batch: stop early (a checkpoint is written first) */
  shouldStop?(): boolean;
  /** progress of a running reconstruction test: images done of total */
  onTestProgress?(done: number, total: number): void;
}

export class DivergenceError extends Error {}

/** What a resumed trainer logs as its `resume` event when it starts. */
export interface ResumeInfo {
  /** the checkpoint, relative to the run folder */
  checkpoint: string;
  iteration: number;
  /** config fields that differ from the checkpoint's, e.g. { lrD: { from: 1e-4, to: 5e-5 } } */
  changed: Record<string, { from: unknown; to: unknown }>;
  /** set when the run was copied from another folder to continue here */
  copiedFrom?: string;
}

/** The paper's seeded split for a run: the held-out test sets are the same whenever the config is. */
export function runSplit(c: TrainConfig, length: number): DataSplit {
  return splitIndices(length, c.splitSeed ?? c.seed, { finalTestSize: c.finalTestSize, runningTestSize: c.runningTestSize });
}

interface Snapshot {
  iteration: number;
  tensors: Record<string, SafeTensor>;
  rng: string;
  sampler: string;
  steps: [number, number];
  bestRecon: number;
  lastRecon: Trainer['lastRecon'];
  bad: BadFile[];
}

const STOP = Symbol('stop');
export class Trainer {
  iteration = 0;
  bestRecon = Infinity;
  /** the latest running reconstruction test (reused by callers that want the final figure) */
  lastRecon: { iter: number; mse: number; perImageSquaredDistance: number } | null = null;
  /** set by resume(): logged as a `resume` event when run() starts */
  resumed: ResumeInfo | null = null;
  readonly loader: SkippingLoader;
  private lrScaleUntil = 0;
  private restarts = 0;
  /** a running test was due at `iteration` but was stopped: it runs first when the run continues */
  private pendingRecon = false;
  /** a running test was interrupted (Ctrl-C): run() does it first */
  get reconPending(): boolean {
    return this.pendingRecon;
  }
  private snapshot: Snapshot | null = null;
  private readonly fixedZ: Float32Array;
  /** the iteration that bad-file events are logged under */
  private eventIter = 0;
  private hooks: TrainHooks = {};

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
    this.loader = new SkippingLoader(data, config.maxBadFiles, (f) => this.reportBadFile(f));
  }

  static async create(config: TrainConfig): Promise<Trainer> {
    validateConfig(config);
    const data = await openDataset({ ...config.data, imageSize: config.imageSize });
    try {
      if (data.length <= config.finalTestSize) {
        throw new Error(`${data.description}: holding out --final-test ${config.finalTestSize} images leaves none to train on; give a smaller --final-test (and --running-test)`);
      }
      const split = runSplit(config, data.length);
      if (split.train.length < config.batchSize) {
        throw new Error(`${data.description}: ${split.train.length} training images (after holding out --final-test ${config.finalTestSize}) are fewer than one batch of --batch ${config.batchSize}`);
      }
      const root = new Rng(config.seed);
      const sampler = new EpochSampler(split.train, config.batchSize, root.fork('sampler'));
      return new Trainer(config, buildGan(config), data, split, sampler, root.fork('z'));
    } catch (e) {
      await data.close?.();
      throw e;
    }
  }

  /**
   * Continue a run from a checkpoint (or a run folder: its last.safetensors): weights, optimiser states and
   * counters, RNG and sampler state. The run continues in the checkpoint's folder unless `override.out`
   * says otherwise. Fields that define the model or the data cannot be overridden; the others (learning
   * rates, iterations, intervals) can, and are logged with the `resume` event.
   */
  static async resume(path: string, override: Partial<TrainConfig> = {}, info: { copiedFrom?: string } = {}): Promise<Trainer> {
    const { checkpoint } = await resolveResume(path);
    const meta = await readCheckpointMeta(checkpoint);
    const stored = configFromCheckpoint(meta, checkpoint);
    const fixed = FIXED_ON_RESUME.filter((k) => k in override && !sameSetting(k, override[k], stored[k]));
    if (fixed.length) {
      const what = fixed.map((k) => `${flagOf(k)} ${JSON.stringify(stored[k])} → ${JSON.stringify(override[k])}`).join(', ');
      throw new Error(`${checkpoint}: cannot resume with a different ${what}: these define the model or the data of the run. Start a new run (another --out) to change them`);
    }
    const config = { ...stored, ...override };
    const changed: ResumeInfo['changed'] = {};
    for (const k of Object.keys(override) as (keyof TrainConfig)[]) {
      if (k !== 'out' && !sameSetting(k, override[k], stored[k])) changed[k] = { from: stored[k] ?? null, to: override[k] };
    }
    const t = await Trainer.create(config);
    try {
      const m = await loadCheckpoint(checkpoint, t.owners());
      t.iteration = m.iteration;
      t.rngZ.setState(m.rng as string);
      t.sampler.setState(m.sampler as string);
      [t.gan.optG.step_, t.gan.optD.step_] = m.optimizerSteps as [number, number];
      t.bestRecon = (m.bestRecon as number | null) ?? Infinity;
      t.restarts = (m.restarts as number) ?? 0;
      t.lrScaleUntil = (m.lrScaleUntil as number) ?? 0;
      t.pendingRecon = m.pendingRecon === true;
      for (const f of (m.badFiles as BadFile[] | undefined) ?? []) t.loader.bad.set(f.index, f);
    } catch (e) {
      t.dispose();
      throw e;
    }
    t.resumed = { checkpoint: relative(config.out, checkpoint) || checkpoint, iteration: t.iteration, changed, ...info };
    return t;
  }

  owners() {
    return { modules: { G: this.gan.G, D: this.gan.D }, optimizers: { G: this.gan.optG, D: this.gan.optD } };
  }

  private meta() {
    return {
      iteration: this.iteration,
      config: storedConfig(this.config),
      paths: RUN_RELATIVE,
      runFolder: resolve(this.config.out),
      rng: this.rngZ.getState(),
      sampler: this.sampler.getState(),
      optimizerSteps: [this.gan.optG.step_, this.gan.optD.step_],
      bestRecon: Number.isFinite(this.bestRecon) ? this.bestRecon : null,
      restarts: this.restarts,
      lrScaleUntil: this.lrScaleUntil,
      pendingRecon: this.pendingRecon,
      badFiles: [...this.loader.bad.values()],
    };
  }

  async saveCheckpoint(name = 'last.safetensors'): Promise<string> {
    const path = join(this.config.out, name);
    await saveCheckpoint(path, this.owners(), this.meta());
    return path;
  }

  async log(entry: object): Promise<void> {
    await appendFile(join(this.config.out, 'log.jsonl'), JSON.stringify(entry) + '\n');
  }

  /** Images of the held-out set, NCHW (a bad image is replaced by the next good one of `indices`). */
  testLoader(indices: Uint32Array) {
    return (start: number, n: number) => this.loader.loadBatch(indices.subarray(start, start + n), indices);
  }

  async writeSamples(path: string, count = 64): Promise<void> {
    const host = await generateImages(this.gan.G, this.fixedZ, count, this.config.codeSize);
    await writeImageGrid(path, host, count, this.config.imageSize);
  }

  async runningTest(steps = this.config.reconSteps, indices = this.split.runningTest, onBatch?: (done: number, total: number) => void) {
    return reconstructionError(this.gan.G, indices.length, this.testLoader(indices), [3, this.config.imageSize, this.config.imageSize], {
      codeSize: this.config.codeSize,
      steps,
      onBatch,
    });
  }

  private async reportBadFile(f: BadFile): Promise<void> {
    const n = this.loader.bad.size;
    await this.log({ type: 'bad-file', iter: this.eventIter, path: f.path, reason: f.reason, count: n });
    this.hooks.onEvent?.(`warning: skipping an image that cannot be used: ${f.path}: ${f.reason} ` +
      `(${n} bad so far, ${((100 * n) / this.data.length).toFixed(2)}% of ${this.data.length}; --max-bad-files ${this.config.maxBadFiles}%)`);
  }

  private async takeSnapshot(): Promise<void> {
    this.snapshot = {
      iteration: this.iteration,
      tensors: await collectState(this.owners()),
      rng: this.rngZ.getState(),
      sampler: this.sampler.getState(),
      steps: [this.gan.optG.step_, this.gan.optD.step_],
      bestRecon: this.bestRecon,
      lastRecon: this.lastRecon,
      bad: [...this.loader.bad.values()],
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
    this.bestRecon = s.bestRecon;
    this.lastRecon = s.lastRecon;
    this.loader.bad.clear();
    for (const f of s.bad) this.loader.bad.set(f.index, f);
  }

  /** Forget what the iterations after the current one left: their log lines (but `keep`) and sample grids. */
  private async dropLaterThan(keep?: (e: { type?: string }) => boolean): Promise<void> {
    await truncateLog(join(this.config.out, 'log.jsonl'), this.iteration, keep);
    const dir = join(this.config.out, 'samples');
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const m = /^iter_(\d+)\.png$/.exec(name);
      if (m && Number(m[1]) > this.iteration) await rm(join(dir, name), { force: true });
    }
  }

  /** Before the first step: the folder is writable, interrupted writes are cleaned up, the log is consistent. */
  private async prepare(): Promise<void> {
    const c = this.config;
    await checkRunFolderWritable(c.out, `run folder ${c.out}`);
    const removed = [...await removeStaleTempFiles(c.out), ...await removeStaleTempFiles(join(c.out, 'samples'))];
    if (removed.length) this.hooks.onEvent?.(`removed ${removed.length} partial file(s) left by an interrupted write: ${removed.join(', ')}`);
    await this.dropLaterThan();
    if (this.resumed) {
      const { iteration: _, ...info } = this.resumed;
      await this.log({ type: 'resume', iter: this.iteration, ...info });
      this.resumed = null;
    }
    await writeFileAtomic(join(c.out, 'config.json'), new TextEncoder().encode(JSON.stringify(storedConfig(c), null, 2) + '\n'));
  }

  /** The running test at iteration `it`; stopped (and left pending for the resume) if a stop is requested. */
  private async reconTest(it: number): Promise<void> {
    const h = this.hooks;
    let r;
    try {
      if (h.shouldStop?.()) throw STOP;
      h.onTestProgress?.(0, this.split.runningTest.length);
      r = await this.runningTest(this.config.reconSteps, this.split.runningTest, (done, total) => {
        h.onTestProgress?.(done, total);
        if (done < total && h.shouldStop?.()) throw STOP;
      });
    } catch (e) {
      if (e !== STOP) throw e;
      this.pendingRecon = true;
      h.onEvent?.(`iteration ${it}: the running reconstruction test was not run (stopping); it runs first when the run resumes`);
      return;
    }
    this.pendingRecon = false;
    this.lastRecon = { iter: it, mse: r.mse, perImageSquaredDistance: r.perImageSquaredDistance };
    const best = r.mse < this.bestRecon;
    if (best) this.bestRecon = r.mse;
    await this.log({ type: 'recon', iter: it, split: 'running', steps: this.config.reconSteps, mse: r.mse, best });
    h.onEvent?.(`iteration ${it}: running reconstruction MSE ${r.mse.toFixed(5)}${best ? ' (best)' : ''}`);
    if (best) await this.saveCheckpoint('best.safetensors');
  }

  /** Train until `config.iterations` (or until hooks.shouldStop()); returns the last iteration's losses. */
  async run(hooks: TrainHooks = {}): Promise<IterationLog | null> {
    const c = this.config;
    const rt = currentRuntime();
    this.hooks = hooks;
    await this.prepare();
    if (this.pendingRecon) {
      this.eventIter = this.iteration;
      await this.reconTest(this.iteration);
      if (!this.pendingRecon) await this.saveCheckpoint();
    }
    if (c.divergenceGuard) await this.takeSnapshot();
    let last: IterationLog | null = null;
    while (this.iteration < c.iterations && !hooks.shouldStop?.()) {
      const it = this.iteration + 1;
      const t0 = performance.now();
      this.eventIter = it;
      const before = this.sampler.getState();
      const badBefore = [...this.loader.bad.values()];
      let real: Float32Array;
      try {
        real = await this.loader.loadBatch(this.sampler.nextBatch(), this.split.train);
      } catch (e) {
        if (!(e instanceof TooManyBadFilesError) || this.iteration === 0) throw e;
        // keep what was trained: the state after the last iteration, with the batch not yet drawn
        this.sampler.setState(before);
        this.loader.bad.clear();
        for (const f of badBefore) this.loader.bad.set(f.index, f);
        await this.saveCheckpoint();
        throw new TooManyBadFilesError(`${e.message}. Stopped at iteration ${this.iteration}, checkpoint written; to continue, skipping more: ` +
          `wngan train --resume ${c.out} --max-bad-files P (removing the files would change the data set and its split)`);
      }
      setLrScale(this.gan, c, it <= this.lrScaleUntil ? c.guardLrFactor : 1);
      const { lossD, lossG } = trainIteration(this.gan, real, () => sampleZ(this.rngZ, c.batchSize, c.codeSize), c.batchSize, c.imageSize);
      rt.flush();
      const [d, g] = [await lossD.item(), await lossG.item()];
      lossD.dispose();
      lossG.dispose();
      const bad = !Number.isFinite(d) || !Number.isFinite(g) || d > c.explodeThreshold || g > c.explodeThreshold;
      if (bad) {
        const what = `iteration ${it}: losses D=${d} G=${g} (${Number.isFinite(d) && Number.isFinite(g) ? `above the explode threshold ${c.explodeThreshold}` : 'not finite'})`;
        const restart = c.divergenceGuard && this.snapshot !== null && this.restarts < c.maxRestarts;
        await this.log({ type: 'diverged', iter: it, lossD: d, lossG: g, restart: restart ? this.restarts + 1 : null, from: restart ? this.snapshot!.iteration : null });
        if (!c.divergenceGuard || !this.snapshot) throw new DivergenceError(`training diverged at ${what}; rerun with a smaller learning rate, or with the divergence guard on`);
        if (!restart) throw new DivergenceError(`training diverged at ${what} again after ${c.maxRestarts} restarts; giving up (try a smaller --lr)`);
        this.restarts++;
        this.restoreSnapshot();
        this.lrScaleUntil = this.iteration + c.guardIterations;
        // the iterations after the snapshot are redone: their lines go, the divergence events stay
        await this.dropLaterThan((e) => e.type === 'diverged');
        hooks.onEvent?.(`diverged at ${what}; restarted from iteration ${this.iteration} with lr ×${c.guardLrFactor} for ${c.guardIterations} iterations (restart ${this.restarts}/${c.maxRestarts})`);
        continue;
      }
      this.iteration = it;
      last = { iter: it, lossD: d, lossG: g, sec: (performance.now() - t0) / 1000 };
      await this.log({ type: 'train', ...last });
      hooks.onIteration?.(last);

      if (it % c.sampleEvery === 0 || it === c.iterations) await this.writeSamples(join(c.out, 'samples', `iter_${String(it).padStart(6, '0')}.png`));
      if (it % c.reconEvery === 0) await this.reconTest(it);
      await hooks.afterIteration?.(it);
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
