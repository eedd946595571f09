/**
 * Live training in the tab: one WN DCGAN, or WN and BN side by side stepping in turn on the same batches, with
 * pause/resume and a sample grid from a fixed z every few iterations. Every GPU call of the page goes through
 * one GpuQueue: the engine's autograd tape is global, so a reconstruction must never interleave with a step.
 */
import { createGan, type GAN, type Norm } from 'wngan/browser';

/** Runs async GPU work one job at a time, in call order. */
export class GpuQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(job: () => Promise<T>): Promise<T> {
    const p = this.tail.then(job);
    this.tail = p.catch(() => undefined);
    return p;
  }
}

export interface ModelRun {
  norm: Norm;
  label: string;
  gan: GAN;
  /** [iteration, loss] */
  lossD: [number, number][];
  lossG: [number, number][];
}

export interface TrainingOptions {
  imageSize: number;
  baseWidth: number;
  batchSize: number;
  codeSize: number;
  seed: number;
  lr: number;
  /** each model stops after this many iterations */
  iterations: number;
  sampleEvery: number;
  /** z of the sample grids, [n, codeSize] */
  sampleZ: Float32Array;
  /** training images, NCHW, 3×imageSize×imageSize each */
  images: Float32Array;
  onIteration: (run: ModelRun) => void;
  onSamples: (run: ModelRun, images: Float32Array) => void;
  onStateChange: (state: TrainingState) => void;
  /** the loop stopped on an error (state 'failed') */
  onError: (e: unknown) => void;
}

export type TrainingState = 'running' | 'paused' | 'done' | 'failed';

const LABELS: Record<string, string> = { weight: 'WN (weight norm)', batch: 'BN (batch norm)' };

export class LiveTraining {
  readonly runs: ModelRun[] = [];
  private state_: TrainingState = 'paused';
  private wake: (() => void) | null = null;
  private looping = false;
  private readonly order: Uint32Array;
  private cursor = Infinity;
  private readonly rand: () => number;

  constructor(private readonly gpu: GpuQueue, private readonly o: TrainingOptions) {
    this.order = Uint32Array.from({ length: o.images.length / (3 * o.imageSize ** 2) }, (_, i) => i);
    this.rand = mulberry32(o.seed);
  }

  get state(): TrainingState {
    return this.state_;
  }

  /** Add a model (a fresh GAN of this norm; same seed and settings as the others) and keep training. */
  async add(norm: Norm): Promise<ModelRun> {
    const o = this.o;
    const gan = await this.gpu.run(async () => createGan({
      model: 'dcgan', norm, imageSize: o.imageSize, baseWidth: o.baseWidth, codeSize: o.codeSize,
      batchSize: o.batchSize, seed: o.seed, lrD: o.lr, lrG: o.lr,
    }));
    const run: ModelRun = { norm, label: LABELS[norm] ?? norm, gan, lossD: [], lossG: [] };
    this.runs.push(run);
    if (this.state_ === 'done') this.resume();
    return run;
  }

  /** Stop training a model and free its GPU memory. */
  async remove(norm: Norm): Promise<void> {
    const i = this.runs.findIndex((r) => r.norm === norm);
    if (i < 0) return;
    const [run] = this.runs.splice(i, 1);
    await this.gpu.run(async () => run!.gan.dispose());
  }

  /** Start or continue the loop. */
  resume(): void {
    this.setState('running');
    this.wake?.();
    if (!this.looping) this.loop().catch(this.o.onError);
  }

  /** Takes effect after the current round. */
  pause(): void {
    if (this.state_ === 'running') this.setState('paused');
  }

  private setState(s: TrainingState): void {
    this.state_ = s;
    this.o.onStateChange(s);
  }

  private async loop(): Promise<void> {
    this.looping = true;
    const o = this.o;
    try {
      for (;;) {
        while (this.state_ === 'paused') await new Promise<void>((r) => (this.wake = r));
        const real = this.nextBatch();
        // one round: each model one step on the same batch, then a grid if due (the list is read inside the
        // queued job, so a model removed meanwhile is not stepped after its disposal)
        const stepped = await this.gpu.run(async () => {
          const active = this.runs.filter((r) => r.gan.iteration < o.iterations);
          for (const run of active) {
            const s = await run.gan.step(real);
            run.lossD.push([s.iteration, s.lossD]);
            run.lossG.push([s.iteration, s.lossG]);
            o.onIteration(run);
            if (s.iteration % o.sampleEvery === 0 || s.iteration === o.iterations || s.iteration === 1) {
              o.onSamples(run, await run.gan.sample(o.sampleZ));
            }
          }
          return active.length;
        });
        if (!stepped) {
          this.setState('done');
          break;
        }
        // yield to the event loop so the page paints and handles input between rounds
        await new Promise((r) => setTimeout(r, 0));
      }
    } catch (e) {
      this.setState('failed');
      throw e;
    } finally {
      this.looping = false;
    }
  }

  /** A batch of shuffled epochs, like the CLI's sampler (this one seeded with mulberry32). */
  private nextBatch(): Float32Array {
    const { batchSize: b, images, imageSize } = this.o;
    const per = 3 * imageSize * imageSize;
    const out = new Float32Array(b * per);
    for (let k = 0; k < b; k++) {
      if (this.cursor >= this.order.length) {
        for (let i = this.order.length - 1; i > 0; i--) {
          const j = Math.floor(this.rand() * (i + 1));
          [this.order[i], this.order[j]] = [this.order[j]!, this.order[i]!];
        }
        this.cursor = 0;
      }
      const n = this.order[this.cursor++]!;
      out.set(images.subarray(n * per, (n + 1) * per), k * per);
    }
    return out;
  }
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
