/**
 * The feature classifier and the GPU side of FD/KID on tiny inputs: training on a labelled toy set, the
 * checkpoint round trip and its errors, batch-independent features with flat memory, seeded generation.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.js';
import { makeRng } from '../helpers/check.js';
import type { ImageDataset } from '../../src/data/dataset.js';
import { loadBatch } from '../../src/data/dataset.js';
import { Classifier } from '../../src/models/classifier.js';
import { DcganGenerator } from '../../src/models/dcgan.js';
import { Rng } from '../../src/util/rng.js';
import { ClassifierStopped, fitClassifier, loadClassifier, readClassifierMeta, saveClassifier } from '../../src/metrics/classifier-train.js';
import { extractFeatures, generatedFeatures, sampleQuality } from '../../src/metrics/features.js';
import { saveCheckpoint } from '../../src/train/checkpoint.js';
import { encodeSafetensors } from '../../src/io/safetensors.js';
import { tapeLength } from '../../src/autograd/tape.js';

const S = 16;

/** Class 0: horizontal stripes, class 1: vertical stripes, class 2: a bright centre square; plus noise. */
class ToyDataset implements ImageDataset {
  readonly channels = 3 as const;
  readonly imageSize = S;
  readonly description = 'toy stripes';
  readonly numClasses = 3;
  constructor(readonly length: number) {}
  async get(i: number): Promise<Float32Array> {
    const rng = makeRng(i + 1);
    const img = new Float32Array(3 * S * S);
    const c = i % 3;
    for (let y = 0; y < S; y++) {
      for (let x = 0; x < S; x++) {
        const on = c === 0 ? y % 4 < 2 : c === 1 ? x % 4 < 2 : Math.abs(x - 7.5) < 4 && Math.abs(y - 7.5) < 4;
        for (let ch = 0; ch < 3; ch++) img[ch * S * S + y * S + x] = Math.min(1, Math.max(0, (on ? 0.8 : 0.2) + rng.uniform(-0.15, 0.15)));
      }
    }
    return img;
  }
  async label(i: number): Promise<number> {
    return i % 3;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'wngan-classifier-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('feature classifier and sample quality (GPU)', () => {
  const gpu = useGpu();
  const ds = new ToyDataset(150);
  let trained: Awaited<ReturnType<typeof fitClassifier>>;

  it('learns a labelled toy set and reports its held-out accuracy', async () => {
    const losses: number[] = [];
    trained = await fitClassifier(ds, {
      data: { kind: 'folder', path: 'toy' }, iterations: 60, batchSize: 16, finalTestSize: 30, widths: [8, 8, 8], featureDim: 16,
      onIteration: (_, l) => losses.push(l),
    });
    expect(losses.length).toBe(60);
    expect(losses[59]).toBeLessThan(losses[0]);
    expect(trained.meta).toMatchObject({ imageSize: S, numClasses: 3, featureDim: 16, finalTestSize: 30, splitSeed: 1, iterations: 60 });
    expect(trained.meta.testAccuracy).toBeGreaterThan(0.9);
    expect(tapeLength()).toBe(0);
  });

  it('refuses a data set without labels', async () => {
    const unlabelled: ImageDataset = { length: 50, channels: 3, imageSize: S, description: 'a folder of images', get: (i) => ds.get(i) };
    await expect(fitClassifier(unlabelled, { data: {}, iterations: 1, finalTestSize: 10 })).rejects.toThrow(/a folder of images: this data set has no class labels.*FD\/KID/);
  });

  it('stops on request after the iteration that asked, without leaking buffers', async () => {
    const rt = gpu.rt();
    await rt.sync();
    const live0 = rt.memory().liveBytes;
    let seen = 0;
    const stopped = fitClassifier(ds, {
      data: {}, iterations: 50, batchSize: 8, finalTestSize: 30, widths: [4, 4, 4], featureDim: 8,
      onIteration: (it) => (seen = it), shouldStop: () => seen >= 3,
    });
    await expect(stopped).rejects.toThrow(ClassifierStopped);
    await expect(stopped).rejects.toThrow(/stopped at iteration 3; nothing was saved/);
    expect(tapeLength()).toBe(0);
    await rt.sync();
    expect(rt.memory().liveBytes).toBe(live0);
  });

  it('features are the same whatever the batching, and memory does not grow', async () => {
    const c = trained.classifier;
    const load = (s: number, n: number) => loadBatch(ds, Array.from({ length: n }, (_, k) => s + k));
    const whole = await extractFeatures(c, 10, load, S, { batchSize: 10 });
    const split = await extractFeatures(c, 10, load, S, { batchSize: 3 });
    expect(whole.length).toBe(10 * 16);
    for (let i = 0; i < whole.length; i++) expect(Math.abs(split[i] - whole[i])).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(whole[i])));
    expect(c.training).toBe(true); // restored (fitClassifier leaves it in training mode)
    const rt = gpu.rt();
    await rt.sync();
    const live0 = rt.memory().liveBytes;
    await extractFeatures(c, 40, load, S, { batchSize: 7 });
    await rt.sync();
    expect(rt.memory().liveBytes).toBe(live0);
    await expect(extractFeatures(c, 2, load, 32)).rejects.toThrow(/takes 16px images, got 32px/);
  });

  it('saves and loads a classifier; other files are refused clearly', async () => {
    const path = join(dir, 'c.safetensors');
    await saveClassifier(path, trained.classifier, trained.meta);
    expect(await readClassifierMeta(path)).toEqual(trained.meta);
    const { classifier, meta } = await loadClassifier(path);
    expect(meta).toEqual(trained.meta);
    expect(classifier.training).toBe(false);
    const load = (s: number, n: number) => loadBatch(ds, Array.from({ length: n }, (_, k) => s + k));
    expect(await extractFeatures(classifier, 6, load, S)).toEqual(await extractFeatures(trained.classifier, 6, load, S));
    classifier.dispose();

    const G = new DcganGenerator(new Rng(1), { imageSize: S, norm: 'none', codeSize: 8, baseWidth: 4 });
    const gan = join(dir, 'gan.safetensors');
    await saveCheckpoint(gan, { modules: { G } }, { iteration: 1 });
    G.dispose();
    await expect(loadClassifier(gan)).rejects.toThrow(/gan\.safetensors: not a wngan classifier \(it is a GAN checkpoint/);
    const plain = join(dir, 'plain.safetensors');
    writeFileSync(plain, encodeSafetensors({ w: { dtype: 'F32', shape: [1], data: Float32Array.of(1) } }));
    await expect(loadClassifier(plain)).rejects.toThrow(/plain\.safetensors: not a wngan classifier \(metadata format undefined/);
    await expect(loadClassifier(join(dir, 'nope.safetensors'))).rejects.toThrow(/classifier file not found: .*nope\.safetensors/);
    writeFileSync(join(dir, 'text.safetensors'), 'hello');
    await expect(loadClassifier(join(dir, 'text.safetensors'))).rejects.toThrow(/text\.safetensors/);
  });

  it('generated features are seeded; sampleQuality is finite and separates far distributions', async () => {
    const G = new DcganGenerator(new Rng(2), { imageSize: S, norm: 'batch', codeSize: 8, baseWidth: 4 });
    const c = trained.classifier;
    const a = await generatedFeatures(G, 8, c, 12, 3, S, { batchSize: 5 });
    expect(await generatedFeatures(G, 8, c, 12, 3, S)).toEqual(a);
    expect(await generatedFeatures(G, 8, c, 12, 4, S)).not.toEqual(a);
    expect(G.training).toBe(true); // eval only while generating

    const realOfG = await generatedFeatures(G, 8, c, 60, 5, S);
    const toyReal = await extractFeatures(c, 60, (s, n) => loadBatch(ds, Array.from({ length: n }, (_, k) => s + k)), S);
    const kid = { subsets: 20, subsetSize: 30 };
    const self = await sampleQuality(G, 8, c, realOfG, 60, 6, S, { kid });
    const far = await sampleQuality(G, 8, c, toyReal, 60, 6, S, { kid });
    expect(self.n).toBe(60);
    for (const q of [self, far]) for (const v of [q.fd, q.kid, q.kidStd, q.kidStderr]) expect(Number.isFinite(v)).toBe(true);
    expect(far.fd).toBeGreaterThan(10 * self.fd);
    expect(far.kid).toBeGreaterThan(self.kid);
    expect(Math.abs(self.kid)).toBeLessThan(3 * self.kidStd);
    await expect(sampleQuality(G, 8, c, new Float32Array(17), 10, 1, S)).rejects.toThrow(/17 real feature values are not rows of 16/);
    G.dispose();
    trained.classifier.dispose();
  });
});
