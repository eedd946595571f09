/**
 * The package API's GAN: step() gives exactly the losses and weights of `wngan train` on the same batches
 * (it reuses the trainer's iteration), with D's outputs and the fake batch consistent with those losses;
 * z injection; sample(); checkpoints to and from bytes in every accepted form, readable by the CLI too.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.js';
import { createGan, loadGan, randn, saveSafetensors, type GAN, type StateDict } from '../../src/api/index.js';
import { runSplit, Trainer } from '../../src/train/trainer.js';
import { loadGan as cliLoadGan } from '../../src/cli/load-model.js';
import { disposeGan } from '../../src/train/gan.js';
import { openDataset } from '../../src/data/open.js';
import { loadBatch } from '../../src/data/dataset.js';
import { EpochSampler } from '../../src/data/sampler.js';
import { Rng } from '../../src/util/rng.js';
import type { TrainConfig } from '../../src/train/config.js';
import { smallConfig, syntheticImages } from './small-data.js';
import { writeCifar } from '../helpers/cifar.js';

let dir = '';
let data = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wngan-api-gan-'));
  data = writeCifar(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const modelTensors = (s: StateDict) => Object.fromEntries(Object.entries(s).filter(([k]) => !k.startsWith('optim.')));
const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;

describe('GAN (package API)', () => {
  useGpu();

  for (const [name, over] of [['dcgan batch', { norm: 'batch' }], ['resnet', { model: 'resnet', norm: 'weight' }]] as [string, Partial<TrainConfig>][]) {
    it(`${name}: step() = wngan train's iterations; the CLI checkpoint continues identically`, async () => {
      const config = smallConfig({ ...over, data: { kind: 'cifar10', path: data }, out: join(dir, name.replace(/\W+/g, '-')) });
      const t = await Trainer.create(config);
      const cli: { lossD: number; lossG: number }[] = [];
      await t.run({ onIteration: (l) => cli.push(l) });
      t.dispose();

      const ds = await openDataset({ ...config.data, imageSize: config.imageSize });
      const split = runSplit(config, ds.length);
      const sampler = new EpochSampler(split.train, config.batchSize, new Rng(config.seed).fork('sampler'));
      const gan = createGan(config);
      const B = config.batchSize;
      for (let i = 0; i < 3; i++) {
        const r = await gan.step(await loadBatch(ds, sampler.nextBatch()), { returnOutputs: true, returnSamples: true });
        expect(r.iteration).toBe(i + 1);
        expect([r.lossD, r.lossG], `iteration ${i + 1}`).toEqual([cli[i]!.lossD, cli[i]!.lossG]);
        expect(r.dReal!.length).toBe(B);
        expect(r.samples!.length).toBe(B * 3 * 16 * 16);
        expect(r.samples!.every((v) => v >= 0 && v <= 1)).toBe(true);
        // D's outputs are the ones its loss was computed from
        const lossD = config.model === 'dcgan'
          ? -mean(r.dReal!.map(Math.log)) - mean(r.dFake!.map((p) => Math.log(1 - p)))
          : mean(r.dReal!.map((x) => softplus(-x))) + mean(r.dFake!.map(softplus));
        expect(lossD).toBeCloseTo(r.lossD, 4);
      }
      const ckpt = readFileSync(join(config.out, 'last.safetensors'));
      const fromCli = await loadGan(ckpt, 'last.safetensors');
      expect(fromCli.iteration).toBe(3);
      expect(await fromCli.stateDict()).toEqual(await gan.stateDict());
      const next = await loadBatch(ds, sampler.nextBatch());
      const [a, b] = [await gan.step(next), await fromCli.step(next)];
      expect([b.lossD, b.lossG]).toEqual([a.lossD, a.lossG]);
      gan.dispose();
      fromCli.dispose();
    });
  }

  it('z injection: given z reproduce the seeded draws; the wrong size is named', async () => {
    const c = smallConfig();
    const [g1, g2] = [createGan(c), createGan(c)];
    const real = syntheticImages(4);
    const rng = new Rng(c.seed).fork('z');
    const z = [new Float32Array(4 * 8), new Float32Array(4 * 8)];
    z.forEach((a) => rng.fillNormal(a));
    const [a, b] = [await g1.step(real), await g2.step(real, { z })];
    expect([b.lossD, b.lossG]).toEqual([a.lossD, a.lossG]);
    const c2 = await g2.step(real, { z: z[0] });
    expect(Number.isFinite(c2.lossD)).toBe(true);
    await expect(g2.step(real, { z: new Float32Array(5) })).rejects.toThrow(/z\[0\] has 5 floats, expected batch 4 × codeSize 8/);
    await expect(g2.step(real, { z: [z[0]!] })).rejects.toThrow(/draws z twice/);
    await expect(g2.step(new Float32Array(100))).rejects.toThrow(/3×16×16 \(768 floats each\), got 100 floats/);
    g1.dispose();
    g2.dispose();
  });

  it('sample(): a count draws randn(count·codeSize, seed); z is used as given', async () => {
    const gan = createGan(smallConfig({ norm: 'batch' }));
    const bySeed = await gan.sample(3, { seed: 5 });
    expect(bySeed.length).toBe(3 * 3 * 16 * 16);
    expect(await gan.sample(randn(3 * 8, 5))).toEqual(bySeed);
    expect(await gan.sample(3, { seed: 6 })).not.toEqual(bySeed);
    await expect(gan.sample(new Float32Array(7))).rejects.toThrow(/n × codeSize 8 floats, got 7/);
    gan.dispose();
  });

  it('checkpoints to and from bytes (Uint8Array, Buffer, ArrayBuffer, Blob), readable by the CLI', async () => {
    const gan = createGan(smallConfig({ norm: 'batch', optimizer: 'adam' }));
    await gan.step(syntheticImages(4));
    const bytes = await gan.saveCheckpoint();
    const want = await gan.stateDict();
    const forms: [string, unknown][] = [
      ['Uint8Array', bytes], ['Buffer', Buffer.from(bytes)], ['ArrayBuffer', bytes.slice().buffer], ['Blob', new Blob([new Uint8Array(bytes)])],
    ];
    let copy: GAN | null = null;
    for (const [what, src] of forms) {
      copy?.dispose();
      copy = await loadGan(src as Uint8Array, what);
      expect(copy.iteration, what).toBe(1);
      expect(await copy.stateDict(), what).toEqual(want);
    }
    // the GAN continues exactly: optimiser state, step counts and z generator came back
    const real = syntheticImages(4, 16, 1);
    const [a, b] = [await gan.step(real), await copy!.step(real)];
    expect([b.lossD, b.lossG]).toEqual([a.lossD, a.lossG]);

    const path = join(dir, 'api.safetensors');
    writeFileSync(path, bytes);
    const viaCli = await cliLoadGan(path);
    expect(viaCli.iteration).toBe(1);
    expect(modelTensors(await copy!.stateDict())).not.toEqual(modelTensors(want)); // it trained one more step
    const fresh = await loadGan(bytes);
    expect(await generate(viaCli.gan.G, fresh)).toEqual(await fresh.sample(2, { seed: 3 }));
    disposeGan(viaCli.gan);
    for (const g of [gan, copy!, fresh]) g.dispose();

    await expect(loadGan(saveSafetensors({ x: { dtype: 'F32', shape: [1], data: new Float32Array(1) } }), 'plain.safetensors'))
      .rejects.toThrow(/plain.safetensors: not a wngan checkpoint/);
    await expect(loadGan('model.safetensors' as never)).rejects.toThrow(/expected a Uint8Array, ArrayBuffer or typed array, got a string/);
  });
});

/** G's samples for randn(2·8, 3), through the CLI's model. */
async function generate(G: import('../../src/nn/module.js').Module, like: GAN): Promise<Float32Array> {
  const { generateImages } = await import('../../src/train/gan.js');
  return generateImages(G, randn(2 * like.codeSize, 3), 2, like.codeSize);
}
