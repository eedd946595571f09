/**
 * End-to-end training on small data (a CIFAR-10 binary batch written here): every norm of the DCGAN and
 * the WN ResNet train a few iterations, write a checkpoint and a PNG, and give a finite reconstruction
 * error; a run stopped and resumed from its checkpoint reproduces the uninterrupted run's losses exactly.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.js';
import { writeCifar } from '../helpers/cifar.js';
import { Trainer } from '../../src/train/trainer.js';
import { DEFAULTS, type TrainConfig } from '../../src/train/config.js';
import { loadCheckpoint } from '../../src/train/checkpoint.js';
import { buildGan, disposeGan } from '../../src/train/gan.js';
import type { Norm } from '../../src/models/dcgan.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wngan-train-'));
  writeCifar(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(over: Partial<TrainConfig>): TrainConfig {
  return {
    ...DEFAULTS,
    data: { kind: 'cifar10', path: join(dir, 'data_batch_1.bin') },
    imageSize: 16, baseWidth: 4, codeSize: 8, batchSize: 4,
    iterations: 4, checkpointEvery: 2, sampleEvery: 2, reconEvery: 2, reconSteps: 3,
    finalTestSize: 12, runningTestSize: 8, finalReconSteps: 3,
    ...over,
  };
}

describe('training end to end', () => {
  useGpu();
  const cases: [string, Partial<TrainConfig>][] = [
    ...(['none', 'batch', 'weight', 'weight-affine'] as Norm[]).map((norm): [string, Partial<TrainConfig>] => [`dcgan ${norm}`, { norm }]),
    ['resnet (2 blocks per level)', { model: 'resnet', norm: 'weight', blocksPerLevel: 2 }],
    ['dcgan weight with adam', { norm: 'weight', optimizer: 'adam' }],
  ];
  for (const [name, over] of cases) {
    it(name, async () => {
      const out = join(dir, name.replace(/\W+/g, '-'));
      const t = await Trainer.create(config({ ...over, out }));
      const seen: number[] = [];
      const last = await t.run({ onIteration: (l) => seen.push(l.iter) });
      expect(seen).toEqual([1, 2, 3, 4]);
      expect(Number.isFinite(last!.lossD) && Number.isFinite(last!.lossG)).toBe(true);
      const r = await t.runningTest();
      expect(Number.isFinite(r.mse) && r.mse > 0 && r.mse < 1).toBe(true);
      t.dispose();
      for (const f of ['last.safetensors', 'best.safetensors', 'config.json', 'log.jsonl', 'samples/iter_000002.png', 'samples/iter_000004.png']) {
        expect(existsSync(join(out, f)), f).toBe(true);
      }
      const png = readFileSync(join(out, 'samples/iter_000004.png'));
      expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
      const log = readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(log.filter((e) => e.type === 'train')).toHaveLength(4);
      expect(log.filter((e) => e.type === 'recon').map((e) => e.iter)).toEqual([2, 4]);
      // the checkpoint loads into a freshly built model of the same config
      const fresh = buildGan(config({ ...over, out }));
      const meta = await loadCheckpoint(join(out, 'last.safetensors'), { modules: { G: fresh.G, D: fresh.D }, optimizers: { G: fresh.optG, D: fresh.optD } });
      expect(meta.iteration).toBe(4);
      disposeGan(fresh);
    });
  }

  it('a stopped and resumed run reproduces the uninterrupted losses exactly', async () => {
    for (const norm of ['batch', 'weight'] as Norm[]) {
      const full = await Trainer.create(config({ norm, iterations: 6, out: join(dir, `full-${norm}`) }));
      const a: number[][] = [];
      await full.run({ onIteration: (l) => a.push([l.lossD, l.lossG]) });
      full.dispose();

      const first = await Trainer.create(config({ norm, iterations: 6, out: join(dir, `part-${norm}`) }));
      const b: number[][] = [];
      // stop after iteration 3 as Ctrl-C would: the iteration finishes and a checkpoint is written
      await first.run({ onIteration: (l) => b.push([l.lossD, l.lossG]), shouldStop: () => b.length === 3 });
      first.dispose();
      const resumed = await Trainer.resume(join(dir, `part-${norm}`, 'last.safetensors'));
      expect(resumed.iteration).toBe(3);
      await resumed.run({ onIteration: (l) => b.push([l.lossD, l.lossG]) });
      resumed.dispose();
      expect(b).toEqual(a);
    }
  });

  it('resume takes a run folder, refuses changes to the model or data, and logs the fields it changes', async () => {
    const out = join(dir, 'resume-rules');
    const t = await Trainer.create(config({ norm: 'weight', iterations: 2, out }));
    await t.run();
    t.dispose();
    await expect(Trainer.resume(out, { norm: 'batch', baseWidth: 8 })).rejects.toThrow(/cannot resume with a different --norm "weight" → "batch", --width 4 → 8/);
    const r = await Trainer.resume(out, { iterations: 3, lrD: 5e-5, out });
    expect(r.iteration).toBe(2);
    expect(r.config.data.path).toBe(join(dir, 'data_batch_1.bin'));
    await r.run();
    r.dispose();
    const log = readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log.map((e) => [e.type, e.iter])).toEqual([['train', 1], ['train', 2], ['recon', 2], ['resume', 2], ['train', 3]]);
    expect(log[3]).toEqual({ type: 'resume', iter: 2, checkpoint: 'last.safetensors', changed: { iterations: { from: 2, to: 3 }, lrD: { from: 1e-4, to: 5e-5 } } });
  });

  it('the divergence guard restarts from the last good state with a smaller learning rate', async () => {
    const events: string[] = [];
    // an explode threshold below any real loss makes every iteration "diverge"
    const t = await Trainer.create(config({ norm: 'weight', iterations: 3, explodeThreshold: 1e-3, maxRestarts: 2, out: join(dir, 'diverge') }));
    await expect(t.run({ onEvent: (e) => events.push(e) })).rejects.toThrow(/diverged .* again after 2 restarts/);
    expect(events.filter((e) => e.includes('restarted from iteration 0 with lr ×0.1'))).toHaveLength(2);
    t.dispose();
    const off = await Trainer.create(config({ norm: 'weight', iterations: 3, explodeThreshold: 1e-3, divergenceGuard: false, out: join(dir, 'diverge-off') }));
    await expect(off.run()).rejects.toThrow(/training diverged at iteration 1: .*above the explode threshold/);
    off.dispose();
  });
});
