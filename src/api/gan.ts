/**
 * The paper's GAN as one object: `createGan(config)` builds G and D (DCGAN R1 or WN ResNet R2) with their
 * optimisers; step() is one training iteration, sample() runs G, reconstruct() is the paper's metric, and
 * checkpoints go to and from bytes. Everything reuses the trainer's internals (train/gan.ts), so a GAN fed
 * the same batches and seed gives the same losses as `wngan train`.
 */
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import { Rng } from '../util/rng.js';
import { tensor, type Tensor } from '../tensor/tensor.js';
import { currentRuntime } from '../tensor/engine.js';
import { buildGan, disposeGan, generateImages, trainIteration, type Gan } from '../train/gan.js';
import { DEFAULTS, validateConfig, type TrainConfig } from '../train/config-core.js';
import { encodeMeta, parseMeta } from '../train/checkpoint-format.js';
import { collectState } from '../train/state.js';
import { decodeSafetensors, encodeSafetensors } from '../io/safetensors-codec.js';
import { toBytes, type BytesSource } from './bytes.js';
import { loadSafetensors, loadStateInto, type LoadStateDictOptions, type LoadStateDictResult, type StateDict } from './state-dict.js';
import { reconstruct, type ReconstructOptions, type ReconstructResult } from './reconstruct.js';
import type { ImageSource } from './images.js';

/** Any subset of the training config (defaults: `wngan train`'s); model, norm, imageSize, codeSize, ... */
export type GanConfig = Partial<TrainConfig>;

export interface StepOptions {
  /**
   * z for this iteration's draws instead of the GAN's own generator: one array for every draw, or one per
   * draw in order (the DCGAN draws twice, D step then G step; the ResNet once). Each is [batch, codeSize].
   */
  z?: Float32Array | Float32Array[];
  /** also return D's outputs on the real and fake batch of the D step */
  returnOutputs?: boolean;
  /** also return the fake batch of the D step */
  returnSamples?: boolean;
}

export interface StepResult {
  /** the iteration just done (1 for the first) */
  iteration: number;
  lossD: number;
  lossG: number;
  /** D(real), D(fake): probabilities (DCGAN) or logits (ResNet), [batch] */
  dReal?: Float32Array;
  dFake?: Float32Array;
  /** the fake images of the D step, [batch, 3, size, size] */
  samples?: Float32Array;
}

/** `count` standard normal numbers from `seed` (the z that `wngan sample --seed` uses). */
export function randn(count: number, seed = 1): Float32Array {
  const z = new Float32Array(count);
  new Rng(seed).fillNormal(z);
  return z;
}

export class GAN {
  /** iterations trained (restored from a checkpoint) */
  iteration = 0;
  private readonly rngZ: Rng;

  private constructor(readonly config: TrainConfig, private readonly gan: Gan) {
    this.rngZ = new Rng(config.seed).fork('z');
  }

  static create(config: GanConfig = {}): GAN {
    const c = validateConfig({ ...DEFAULTS, ...config });
    return new GAN(c, buildGan(c));
  }

  get G(): Module { return this.gan.G; }
  get D(): Module { return this.gan.D; }
  get optG(): Optimizer { return this.gan.optG; }
  get optD(): Optimizer { return this.gan.optD; }
  get imageSize(): number { return this.config.imageSize; }
  get codeSize(): number { return this.config.codeSize; }

  /** One training iteration on a batch of real images (NCHW in [0, 1]; the batch size is its length). */
  async step(real: Float32Array, o: StepOptions = {}): Promise<StepResult> {
    const per = 3 * this.imageSize * this.imageSize;
    const batch = real.length / per;
    if (!(real instanceof Float32Array) || !Number.isInteger(batch) || batch < 1) {
      throw new RangeError(`step: real must be a Float32Array of B images of 3×${this.imageSize}×${this.imageSize} (${per} floats each), got ${real?.length} floats`);
    }
    const zs = o.z === undefined ? null : Array.isArray(o.z) ? o.z : null;
    let draw = 0;
    const nextZ = (): Tensor => {
      const k = draw++;
      if (o.z === undefined) {
        const z = new Float32Array(batch * this.codeSize);
        this.rngZ.fillNormal(z);
        return tensor(z, [batch, this.codeSize]);
      }
      const z = zs ? zs[k] : (o.z as Float32Array);
      if (!z) throw new RangeError(`step: z has ${zs!.length} array(s), but this ${this.config.model} draws z ${this.gan.dLogits ? 'once' : 'twice (D step, G step)'} per iteration`);
      if (z.length !== batch * this.codeSize) throw new RangeError(`step: z[${k}] has ${z.length} floats, expected batch ${batch} × codeSize ${this.codeSize}`);
      return tensor(z, [batch, this.codeSize]);
    };
    const t = trainIteration(this.gan, real, nextZ, batch, this.imageSize, { outputs: o.returnOutputs, samples: o.returnSamples });
    currentRuntime().flush();
    try {
      const out: StepResult = { iteration: ++this.iteration, lossD: await t.lossD.item(), lossG: await t.lossG.item() };
      if (t.dReal) [out.dReal, out.dFake] = [await t.dReal.read(), await t.dFake!.read()];
      if (t.fake) out.samples = await t.fake.read();
      return out;
    } finally {
      for (const x of [t.lossD, t.lossG, t.dReal, t.dFake, t.fake]) x?.dispose();
    }
  }

  /**
   * G(z) in eval mode, NCHW in [0, 1]: pass z ([n, codeSize]) or a count (z = randn(count·codeSize, seed)).
   */
  async sample(z: Float32Array | number, o: { seed?: number } = {}): Promise<Float32Array> {
    if (typeof z === 'number') {
      if (!Number.isInteger(z) || z < 1) throw new RangeError(`sample: count must be a positive integer, got ${z}`);
      z = randn(z * this.codeSize, o.seed ?? 1);
    }
    if (!(z instanceof Float32Array) || z.length === 0 || z.length % this.codeSize !== 0) {
      throw new RangeError(`sample: z must be a Float32Array of n × codeSize ${this.codeSize} floats, got ${(z as Float32Array)?.length}`);
    }
    return generateImages(this.G, z, z.length / this.codeSize, this.codeSize);
  }

  /** The paper's reconstruction metric on these images: mean and per-image error and each image's z. */
  reconstruct(images: ImageSource, o: ReconstructOptions = {}): Promise<ReconstructResult> {
    return reconstruct(this.G, images, this, o);
  }

  private owners(withOptim: boolean) {
    const modules = { G: this.G, D: this.D };
    return withOptim ? { modules, optimizers: { G: this.optG, D: this.optD } } : { modules };
  }

  /** G's and D's tensors ("G.main.0.weight", ...) and the optimiser state ("optim.G.<param>.square_avg"). */
  stateDict(): Promise<StateDict> {
    return collectState(this.owners(true));
  }

  /**
   * Load "G.*"/"D.*" tensors (and "optim.*" when present); missing BatchNorm buffers get their initial values.
   */
  loadStateDict(src: StateDict | Uint8Array | ArrayBuffer, o: LoadStateDictOptions = {}): LoadStateDictResult {
    const tensors = src instanceof Uint8Array || src instanceof ArrayBuffer ? loadSafetensors(src, o.source) : src;
    const withOptim = Object.keys(tensors).some((n) => n.startsWith('optim.'));
    return loadStateInto(this.owners(withOptim), tensors, o);
  }

  /** A wngan checkpoint as bytes (the CLI's format: `wngan sample --checkpoint` reads it). */
  async saveCheckpoint(): Promise<Uint8Array> {
    const meta = {
      iteration: this.iteration,
      config: this.config,
      rng: this.rngZ.getState(),
      optimizerSteps: [this.optG.step_, this.optD.step_],
    };
    return encodeSafetensors(await this.stateDict(), encodeMeta(meta));
  }

  /** Rebuild a GAN from a wngan checkpoint (bytes, a File, a fetch Response): its config, weights and state. */
  static async fromCheckpoint(src: BytesSource, source = 'checkpoint'): Promise<GAN> {
    const { tensors, metadata } = decodeSafetensors(await toBytes(src, source), source);
    const meta = parseMeta(metadata, source);
    if (!meta.config || typeof meta.config !== 'object') throw new Error(`${source}: the checkpoint's metadata has no config to build the model from`);
    const g = GAN.create(meta.config as GanConfig);
    try {
      const withOptim = Object.keys(tensors).some((n) => n.startsWith('optim.'));
      loadStateInto(g.owners(withOptim), tensors, { source, strict: withOptim });
      g.iteration = meta.iteration;
      if (typeof meta.rng === 'string') g.rngZ.setState(meta.rng);
      if (withOptim && Array.isArray(meta.optimizerSteps)) [g.optG.step_, g.optD.step_] = meta.optimizerSteps as [number, number];
    } catch (e) {
      g.dispose();
      throw e;
    }
    return g;
  }

  /** Release G's and D's GPU memory. */
  dispose(): void {
    disposeGan(this.gan);
  }
}

/** Build the paper's GAN from a config (any subset of `wngan train`'s settings). */
export function createGan(config: GanConfig = {}): GAN {
  return GAN.create(config);
}

/** Rebuild a GAN from checkpoint bytes (Uint8Array, ArrayBuffer, Node Buffer, File, Response). */
export function loadGan(src: BytesSource, source?: string): Promise<GAN> {
  return GAN.fromCheckpoint(src, source);
}
