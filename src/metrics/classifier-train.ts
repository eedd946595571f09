/**
 * Training, evaluating, saving and loading the feature classifier of the sample-quality metrics
 * (models/classifier.ts). It trains on the paper's split of the data set (split.ts) — the training part
 * only — and reports its accuracy on the final test set, the images the GANs never train on either.
 *
 * Checkpoint: safetensors with the tensors as `classifier.<state_dict name>` and metadata (JSON values)
 * format 'wngan-classifier-1', imageSize, numClasses, widths, featureDim, data (the data set spec),
 * splitSeed, finalTestSize, testAccuracy, iterations, batchSize, lr, seed.
 */
import type { ImageDataset } from '../data/dataset.js';
import { loadBatch } from '../data/dataset.js';
import { openDataset, type DatasetSpec } from '../data/open.js';
import { splitIndices } from '../data/split.js';
import { EpochSampler } from '../data/sampler.js';
import { Classifier, DEFAULT_CLASSIFIER, type ClassifierConfig } from '../models/classifier.js';
import { Adam } from '../optim/optimizer.js';
import { tensor } from '../tensor/tensor.js';
import { tidy } from '../tensor/scope.js';
import { noGrad } from '../autograd/tape.js';
import { backward } from '../autograd/backward.js';
import { crossEntropy } from '../ops/cross-entropy.js';
import { Rng } from '../util/rng.js';
import { readSafetensorsFile, writeSafetensorsFile, type SafetensorsContent } from '../io/safetensors.js';
import { applyState, collectState } from '../train/state.js';
import { CHECKPOINT_FORMAT } from '../train/checkpoint.js';

export const CLASSIFIER_FORMAT = 'wngan-classifier-1';
const PREFIX = 'classifier';

export interface ClassifierMeta {
  imageSize: number;
  numClasses: number;
  widths: [number, number, number];
  featureDim: number;
  /** the data set it was trained on */
  data: DatasetSpec;
  splitSeed: number;
  finalTestSize: number;
  /** accuracy on the split's final test set, in [0, 1] */
  testAccuracy: number;
  iterations: number;
  batchSize: number;
  lr: number;
  seed: number;
}

export interface ClassifierTrainOptions {
  /** recorded in the checkpoint; the images come from `ds` */
  data: DatasetSpec;
  iterations?: number;
  batchSize?: number;
  /** Adam's peak learning rate (cosine decay to 0 over the run) */
  lr?: number;
  /** initialisation and batch order */
  seed?: number;
  /** the paper's split: seed (default 1) and final test size (default 2000) */
  splitSeed?: number;
  finalTestSize?: number;
  widths?: [number, number, number];
  featureDim?: number;
  onIteration?: (iter: number, loss: number) => void;
  onEvaluate?: (done: number, total: number) => void;
  /** checked after every iteration; true ends training with a ClassifierStopped error (nothing is saved) */
  shouldStop?: () => boolean;
}

/** Training was stopped on request before it finished; no checkpoint was written. */
export class ClassifierStopped extends Error {
  constructor(readonly iteration: number) {
    super(`classifier: training stopped at iteration ${iteration}; nothing was saved`);
    this.name = 'ClassifierStopped';
  }
}

/**
 * 2400 iterations of 64 ≈ 2.3 epochs of Fashion-MNIST's 68000 training images: 91.15% test accuracy in
 * about 4–5 minutes on 2 CPU cores (lavapipe).
 */
export const CLASSIFIER_DEFAULTS = { iterations: 2400, batchSize: 64, lr: 4e-3, seed: 1, splitSeed: 1, finalTestSize: 2000 };

const noLabels = (ds: ImageDataset) =>
  new Error(`${ds.description}: this data set has no class labels; the classifier (and so FD/KID) needs a labelled data set (Fashion-MNIST IDX or CIFAR-10)`);

/** The labels of `indices`, or a clear error when the data set has none. */
export async function loadLabels(ds: ImageDataset, indices: ArrayLike<number>): Promise<Int32Array> {
  if (!ds.label) throw noLabels(ds);
  const out = new Int32Array(indices.length);
  await Promise.all(Array.from(indices, async (idx, k) => (out[k] = await ds.label!(idx))));
  return out;
}

/** Fraction of `indices` whose arg-max logit is the label (eval mode, batches of `batch`). */
export async function classifierAccuracy(
  model: Classifier,
  ds: ImageDataset,
  indices: Uint32Array,
  batch = 200,
  onBatch?: (done: number, total: number) => void,
): Promise<number> {
  const was = model.training;
  model.eval();
  let correct = 0;
  try {
    for (let start = 0; start < indices.length; start += batch) {
      const idx = indices.subarray(start, start + batch);
      const [x, labels] = await Promise.all([loadBatch(ds, idx), loadLabels(ds, idx)]);
      const S = model.cfg.imageSize;
      const logits = tidy(() => noGrad(() => model.forward(tensor(x, [idx.length, 3, S, S]))));
      const host = await logits.read();
      logits.dispose();
      const C = model.cfg.numClasses;
      for (let i = 0; i < idx.length; i++) {
        let best = 0;
        for (let c = 1; c < C; c++) if (host[i * C + c] > host[i * C + best]) best = c;
        if (best === labels[i]) correct++;
      }
      onBatch?.(start + idx.length, indices.length);
    }
  } finally {
    model.train(was);
  }
  return correct / indices.length;
}

/** Train a classifier on the split's training images with Adam; evaluate on its final test set. */
export async function fitClassifier(ds: ImageDataset, o: ClassifierTrainOptions): Promise<{ classifier: Classifier; meta: ClassifierMeta }> {
  const d = { ...CLASSIFIER_DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } as typeof CLASSIFIER_DEFAULTS & ClassifierTrainOptions;
  if (!ds.label || ds.numClasses === undefined) {
    if (ds.label) await ds.label(0); // an IDX set without its labels file: the error names the file
    throw noLabels(ds);
  }
  for (const [k, v] of [['iterations', d.iterations], ['batch size', d.batchSize]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`classifier: ${k} must be a positive integer, got ${v}`);
  }
  if (!(d.lr > 0)) throw new RangeError(`classifier: learning rate must be positive, got ${d.lr}`);
  const split = splitIndices(ds.length, d.splitSeed, { finalTestSize: d.finalTestSize, runningTestSize: 0 });
  const cfg: ClassifierConfig = {
    imageSize: ds.imageSize, numClasses: ds.numClasses,
    widths: d.widths ?? DEFAULT_CLASSIFIER.widths, featureDim: d.featureDim ?? DEFAULT_CLASSIFIER.featureDim,
  };
  const root = new Rng(d.seed);
  const model = new Classifier(root.fork('init'), cfg);
  const opt = new Adam(model.parameters(), { lr: d.lr });
  try {
    const sampler = new EpochSampler(split.train, d.batchSize, root.fork('sampler'));
    const S = cfg.imageSize;
    const load = (idx: Uint32Array) => {
      const p = Promise.all([loadBatch(ds, idx), loadLabels(ds, idx)]);
      p.catch(() => undefined); // awaited below; not an unhandled rejection if the loop stops first
      return p;
    };
    let next = load(sampler.nextBatch());
    for (let it = 1; it <= d.iterations; it++) {
      const [x, labels] = await next;
      opt.opts.lr = 0.5 * d.lr * (1 + Math.cos((Math.PI * (it - 1)) / d.iterations));
      const loss = tidy(() => {
        const l = crossEntropy(model.forward(tensor(x, [d.batchSize, 3, S, S])), labels);
        opt.zeroGrad();
        backward(l);
        opt.step();
        return l;
      });
      // submit, then read and resize the next batch on the host while the device works on this one
      loss.rt.flush();
      if (it < d.iterations) next = load(sampler.nextBatch());
      const value = await loss.item();
      loss.dispose();
      if (!Number.isFinite(value)) throw new Error(`classifier: the loss is ${value} at iteration ${it} (lower --lr)`);
      o.onIteration?.(it, value);
      // a few minutes of training is cheap to redo, so a stop discards it rather than checkpointing
      if (it < d.iterations && o.shouldStop?.()) throw new ClassifierStopped(it);
    }
    opt.zeroGrad();
    const testAccuracy = await classifierAccuracy(model, ds, split.finalTest, 200, o.onEvaluate);
    const meta: ClassifierMeta = {
      imageSize: S, numClasses: cfg.numClasses, widths: cfg.widths, featureDim: cfg.featureDim, data: o.data,
      splitSeed: d.splitSeed, finalTestSize: d.finalTestSize, testAccuracy, iterations: d.iterations,
      batchSize: d.batchSize, lr: d.lr, seed: d.seed,
    };
    return { classifier: model, meta };
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    opt.dispose();
  }
}

/** A progress display (the CLI's bar, or an experiment's). */
export interface ProgressSink {
  update(done: number, info?: Record<string, string>): void;
  stop(): void;
}

export interface TrainClassifierOptions extends Omit<ClassifierTrainOptions, 'onIteration' | 'onEvaluate'> {
  /** image side (default: the data set's default, 32 for Fashion-MNIST and CIFAR-10) */
  imageSize?: number;
  /** the checkpoint to write */
  out: string;
  progress?: (label: string, total: number, start?: number) => ProgressSink;
}

/**
 * Open the data set, train (fitClassifier), evaluate and save the checkpoint to `out`. The GPU must be
 * initialised. Returns the test accuracy and the metadata written.
 */
export async function trainClassifier(o: TrainClassifierOptions): Promise<{ accuracy: number; meta: ClassifierMeta; path: string }> {
  const data: DatasetSpec = { ...o.data, ...(o.imageSize ? { imageSize: o.imageSize } : {}) };
  const ds = await openDataset(data);
  try {
    const iterations = o.iterations ?? CLASSIFIER_DEFAULTS.iterations;
    const bar = o.progress?.('classifier train', iterations);
    let evalBar: ProgressSink | undefined;
    let fitted;
    try {
      fitted = await fitClassifier(ds, {
        ...o, data: { ...data, imageSize: ds.imageSize },
        onIteration: (it, loss) => bar?.update(it, { loss: loss.toFixed(4) }),
        onEvaluate: (done, total) => {
          if (!evalBar) {
            bar?.stop();
            evalBar = o.progress?.('classifier test', total);
          }
          evalBar?.update(done);
        },
      });
    } finally {
      bar?.stop();
      evalBar?.stop();
    }
    try {
      await saveClassifier(o.out, fitted.classifier, fitted.meta);
    } finally {
      fitted.classifier.dispose();
    }
    return { accuracy: fitted.meta.testAccuracy, meta: fitted.meta, path: o.out };
  } finally {
    await ds.close?.();
  }
}

export async function saveClassifier(path: string, model: Classifier, meta: ClassifierMeta): Promise<void> {
  const tensors = await collectState({ modules: { [PREFIX]: model } });
  const metadata: Record<string, string> = { format: CLASSIFIER_FORMAT };
  for (const [k, v] of Object.entries(meta)) metadata[k] = JSON.stringify(v);
  await writeSafetensorsFile(path, tensors, metadata);
}

async function readClassifierFile(path: string): Promise<{ content: SafetensorsContent; meta: ClassifierMeta }> {
  let content: SafetensorsContent;
  try {
    content = await readSafetensorsFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`classifier file not found: ${path}`);
    if (code === 'EISDIR') throw new Error(`${path} is a folder; give a classifier file (.safetensors)`);
    throw e;
  }
  const format = content.metadata?.format;
  if (format !== CLASSIFIER_FORMAT) {
    const what = format === CHECKPOINT_FORMAT ? 'it is a GAN checkpoint' : `metadata format ${JSON.stringify(format)}`;
    throw new Error(`${path}: not a wngan classifier (${what}; expected format '${CLASSIFIER_FORMAT}', made by 'wngan classifier train')`);
  }
  const meta: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(content.metadata!)) {
    if (k === 'format') continue;
    try {
      meta[k] = JSON.parse(v);
    } catch {
      throw new Error(`${path}: classifier metadata entry '${k}' is not valid JSON`);
    }
  }
  for (const k of ['imageSize', 'numClasses', 'featureDim', 'testAccuracy', 'splitSeed', 'finalTestSize'] as const) {
    if (typeof meta[k] !== 'number') throw new Error(`${path}: classifier metadata lacks a numeric '${k}'`);
  }
  return { content, meta: meta as unknown as ClassifierMeta };
}

/** A classifier file's metadata (no GPU needed): to check it before loading anything. */
export async function readClassifierMeta(path: string): Promise<ClassifierMeta> {
  return (await readClassifierFile(path)).meta;
}

/** Rebuild a classifier from its file (eval mode); errors name the file and what is wrong with it. */
export async function loadClassifier(path: string): Promise<{ classifier: Classifier; meta: ClassifierMeta }> {
  const { content, meta } = await readClassifierFile(path);
  const model = new Classifier(new Rng(0), { imageSize: meta.imageSize, numClasses: meta.numClasses, widths: meta.widths, featureDim: meta.featureDim });
  try {
    applyState({ modules: { [PREFIX]: model } }, content.tensors, path, true);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { classifier: model.eval(), meta };
}
