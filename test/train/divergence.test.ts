/**
 * The divergence guard: after NaN weights make the losses non-finite (the ResNet's BCE with logits) or huge
 * (the DCGAN's BCE on probabilities gives NaN inputs its clamped maximum, 100 per term), the run restarts from its last
 * checkpointed state (every weight and optimiser tensor restored), trains the next iterations with the
 * learning rate scaled, and logs each iteration once with the divergence as an event.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.js';
import { Trainer } from '../../src/train/trainer.js';
import { DEFAULTS, type TrainConfig } from '../../src/train/config.js';
import { collectState } from '../../src/train/state.js';
import type { Optimizer, RMSprop } from '../../src/optim/optimizer.js';
import { readSafetensorsFile, type SafeTensor } from '../../src/io/safetensors.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wngan-diverge-'));
  const rec = 3073;
  const buf = new Uint8Array(40 * rec);
  for (let i = 0; i < buf.length; i++) buf[i] = (i * 13 + (i >> 7)) & 255;
  writeFileSync(join(dir, 'data_batch_1.bin'), buf);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = (over: Partial<TrainConfig>): TrainConfig => ({
  ...DEFAULTS,
  data: { kind: 'cifar10', path: join(dir, 'data_batch_1.bin') },
  imageSize: 16, baseWidth: 4, codeSize: 8, batchSize: 4, finalTestSize: 12, runningTestSize: 8,
  iterations: 6, checkpointEvery: 2, sampleEvery: 1000, reconEvery: 1000, guardIterations: 2, ...over,
});

const lrOf = (o: Optimizer) => (o as RMSprop).opts.lr;

function poison(t: Trainer): void {
  const p = t.gan.D.parameters()[0].tensor;
  p.write(new Float32Array(p.size).fill(NaN));
}

describe('divergence guard', () => {
  useGpu();

  for (const [model, why] of [['resnet', /D=NaN .*\(not finite\)/], ['dcgan', /\(above the explode threshold 50\)/]] as const)
  it(`${model}: NaN weights: the last checkpoint's state is restored, the lr scaled for guardIterations, each iteration logged once`, async () => {
    const out = join(dir, `nan-${model}`);
    const t = await Trainer.create(config({ out, model }));
    const lr = { D: t.config.lrD, G: t.config.lrG };
    const seen: [number, number, number][] = [];
    const events: string[] = [];
    let poisoned = false;
    let capture = false;
    let restored: Record<string, SafeTensor> | null = null;
    let checkpoint: Record<string, SafeTensor> | null = null;
    // the first image read after the restart: the state the run continues from, before it trains on
    const get = t.data.get.bind(t.data);
    (t.data as { get: typeof get }).get = async (i) => {
      if (capture) {
        capture = false;
        restored = await collectState(t.owners());
        checkpoint = (await readSafetensorsFile(join(out, 'last.safetensors'))).tensors;
      }
      return get(i);
    };
    await t.run({
      onIteration: (l) => seen.push([l.iter, lrOf(t.gan.optD) / lr.D, lrOf(t.gan.optG) / lr.G]),
      afterIteration: async (it) => {
        if (it === 3 && !poisoned) {
          poisoned = true;
          poison(t); // iteration 4 computes NaN losses
        }
      },
      onEvent: (e) => {
        events.push(e);
        if (e.includes('restarted')) capture = true;
      },
    });
    t.dispose();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatch(why);
    expect(events[0]).toMatch(/^diverged at iteration 4: .*; restarted from iteration 2 with lr ×0.1 for 2 iterations \(restart 1\/3\)$/);
    // iterations 3 and 4 are redone at lr ×0.1, then the lr is back
    expect(seen).toEqual([[1, 1, 1], [2, 1, 1], [3, 1, 1], [3, 0.1, 0.1], [4, 0.1, 0.1], [5, 1, 1], [6, 1, 1]].map(([i, d, g]) => [i, expect.closeTo(d, 6), expect.closeTo(g, 6)]));
    expect(restored && checkpoint).toBeTruthy();
    const names = Object.keys(checkpoint!).sort();
    expect(Object.keys(restored!).sort()).toEqual(names);
    expect(names.filter((n) => n.startsWith('optim.')).length).toBeGreaterThan(0);
    for (const n of names) expect([...restored![n].data as Float32Array], n).toEqual([...checkpoint![n].data as Float32Array]);
    const log = readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log.filter((e) => e.type === 'train').map((e) => e.iter)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(log.filter((e) => e.type === 'diverged')).toMatchObject([{ iter: 4, restart: 1, from: 2 }]);
  });

  it('without the guard, NaN stops the run with a divergence error', async () => {
    const t = await Trainer.create(config({ out: join(dir, 'nan-off'), model: 'resnet', divergenceGuard: false }));
    await expect(t.run({ afterIteration: async (it) => void (it === 1 && poison(t)) })).rejects.toThrow(/training diverged at iteration 2: .*not finite/);
    t.dispose();
    const log = readFileSync(join(dir, 'nan-off', 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log.map((e) => [e.type, e.iter])).toEqual([['train', 1], ['diverged', 2]]);
  });
});
