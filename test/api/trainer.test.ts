/**
 * GanTrainer: the callbacks fire at the right iterations with the right payloads, the losses are those of a
 * plain GAN.step() loop over the same seeded batches, and pause(), resume() and stop() work between iterations
 * (stop also skips a due reconstruction test; run() again continues).
 */
import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.js';
import { createGan, GanTrainer, type ImageDataset } from '../../src/api/index.js';
import { EpochSampler } from '../../src/data/sampler.js';
import { Rng } from '../../src/util/rng.js';
import { smallConfig, syntheticImages } from './small-data.js';

const per = 3 * 16 * 16;

describe('GanTrainer (package API)', () => {
  useGpu();
  const images = syntheticImages(12);
  const heldOut = syntheticImages(3, 16, 2);

  it('callbacks, payloads and the losses of a plain step() loop', async () => {
    const gan = createGan(smallConfig());
    const log: string[] = [];
    const losses: [number, number][] = [];
    const trainer = new GanTrainer(gan, images, {
      iterations: 4, sampleEvery: 3, reconEvery: 2, reconSteps: 2, testImages: heldOut,
      onIteration: (r) => {
        log.push(`it ${r.iteration}`);
        losses.push([r.lossD, r.lossG]);
        expect(r.seconds).toBeGreaterThan(0);
        expect(trainer.state).toBe('running');
      },
      onSamples: (s) => {
        log.push(`samples ${s.iteration}`);
        expect([s.count, s.imageSize, s.images.length]).toEqual([64, 16, 64 * per]);
      },
      onReconstruction: (r) => {
        log.push(`recon ${r.iteration}`);
        expect([r.perImage.length, r.z.length]).toEqual([3, 3 * 8]);
        expect(r.mse).toBeCloseTo(r.perImage.reduce((a, b) => a + b, 0) / 3, 6);
      },
    });
    expect(await trainer.run()).toEqual({ iteration: 4, stopped: false });
    expect(trainer.state).toBe('done');
    expect(log).toEqual(['it 1', 'it 2', 'recon 2', 'it 3', 'samples 3', 'it 4', 'samples 4', 'recon 4']);

    const plain = createGan(smallConfig());
    const sampler = new EpochSampler(Array.from({ length: 12 }, (_, i) => i), 4, new Rng(1).fork('sampler'));
    for (let i = 0; i < 4; i++) {
      const real = new Float32Array(4 * per);
      sampler.nextBatch().forEach((idx, k) => real.set(images.subarray(idx * per, (idx + 1) * per), k * per));
      const r = await plain.step(real);
      expect([r.lossD, r.lossG], `iteration ${i + 1}`).toEqual(losses[i]);
    }
    // the same images as an ImageDataset (what openDataset returns): the same batches and losses
    const viaDataset = createGan(smallConfig());
    const ds: ImageDataset = {
      length: 12, channels: 3, imageSize: 16, description: 'test images',
      get: async (i) => images.slice(i * per, (i + 1) * per),
    };
    const dsLosses: [number, number][] = [];
    await new GanTrainer(viaDataset, ds, { iterations: 4, onIteration: (r) => void dsLosses.push([r.lossD, r.lossG]) }).run();
    expect(dsLosses).toEqual(losses);
    expect(() => new GanTrainer(viaDataset, { ...ds, imageSize: 32 }, { iterations: 1 })).toThrow(/GanTrainer data: the data set's images are 32 px \(test images\), the model's are 16 px/);
    for (const g of [gan, plain, viaDataset]) g.dispose();
  });

  it('pause() holds it between iterations until resume(); stop() ends it and skips the due test', async () => {
    const gan = createGan(smallConfig());
    const seen: number[] = [];
    let whilePaused: { state: string; seen: number[] } | null = null;
    let tests = 0;
    const trainer = new GanTrainer(gan, images, {
      iterations: 5, reconEvery: 3, reconSteps: 1, testImages: heldOut,
      onIteration: ({ iteration }) => {
        seen.push(iteration);
        if (iteration === 1) {
          trainer.pause();
          setTimeout(() => {
            whilePaused = { state: trainer.state, seen: [...seen] };
            trainer.resume();
          }, 300);
        }
        if (iteration === 3) trainer.stop();
      },
      onReconstruction: () => void tests++,
    });
    expect(await trainer.run()).toEqual({ iteration: 3, stopped: true });
    expect(whilePaused).toEqual({ state: 'paused', seen: [1] });
    expect(trainer.state).toBe('stopped');
    expect(tests).toBe(0);
    // run() again continues where it stopped
    expect(await trainer.run()).toEqual({ iteration: 5, stopped: false });
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    gan.dispose();
  });

  it('bad options are named', () => {
    const gan = createGan(smallConfig());
    expect(() => new GanTrainer(gan, images, { iterations: 2, reconEvery: 1 })).toThrow(/reconEvery needs options.testImages/);
    expect(() => new GanTrainer(gan, images, { iterations: 0 })).toThrow(/options.iterations must be a positive integer, got 0/);
    expect(() => new GanTrainer(gan, new Float32Array(100), { iterations: 1 })).toThrow(/GanTrainer data: a Float32Array of 100 floats is not N images of 3×16×16/);
    gan.dispose();
  });
});
