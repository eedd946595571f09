/**
 * The wngan side of the benchmarks: one R1 training iteration of the paper's DCGAN (src/train/gan.ts
 * `trainIteration`: a D step on a real and a fake batch, then a G step; RMSprop) on random data, and one
 * reconstruction step (the paper's metric: MSE(G(z), x) backward to z, RMSprop on z, G in eval mode).
 */
import type { Runtime } from '../../src/gpu/runtime.js';
import { Rng } from '../../src/util/rng.js';
import { buildGan, disposeGan, sampleZ, trainIteration, type Gan } from '../../src/train/gan.js';
import { DEFAULTS, type TrainConfig } from '../../src/train/config.js';
import { DcganGenerator, type Norm } from '../../src/models/dcgan.js';
import { tensor, type Tensor } from '../../src/tensor/tensor.js';
import { keep, tidy } from '../../src/tensor/scope.js';
import { backward } from '../../src/autograd/backward.js';
import { full } from '../../src/ops/elementwise.js';
import { mse } from '../../src/ops/loss.js';
import { RMSprop } from '../../src/optim/optimizer.js';

export interface DcganBenchConfig {
  norm: Norm;
  imageSize: number;
  width: number;
  batch: number;
}

/** A GAN plus a fixed random "real" batch, ready to iterate. */
export interface WnganTrainer {
  cfg: TrainConfig;
  gan: Gan;
  /** one full iteration, losses read back (so all GPU work is done); resolves to its wall milliseconds */
  iteration(): Promise<number>;
  dispose(): void;
}

export function wnganTrainer(rt: Runtime, c: DcganBenchConfig): WnganTrainer {
  const cfg: TrainConfig = { ...DEFAULTS, norm: c.norm, batchSize: c.batch, baseWidth: c.width, imageSize: c.imageSize };
  const gan = buildGan(cfg);
  const rng = new Rng(1);
  const real = new Float32Array(c.batch * 3 * c.imageSize * c.imageSize);
  rng.fillUniform(real, 0, 1);
  return {
    cfg,
    gan,
    async iteration() {
      const t0 = performance.now();
      const { lossD, lossG } = trainIteration(gan, real, () => sampleZ(rng, c.batch, cfg.codeSize), c.batch, c.imageSize);
      rt.flush();
      await lossD.item();
      await lossG.item();
      lossD.dispose();
      lossG.dispose();
      return performance.now() - t0;
    },
    dispose: () => disposeGan(gan),
  };
}

/** Trained parameter counts of G and D. */
export function ganParams(gan: Gan): { G: number; D: number } {
  const count = (m: Gan['G']) => m.parameters().reduce((a, p) => a + p.tensor.size, 0);
  return { G: count(gan.G), D: count(gan.D) };
}

/** Milliseconds of `iters` training iterations after `warmup` (pipeline compilation) ones. */
export async function timeWnganTrain(rt: Runtime, c: DcganBenchConfig, iters: number, warmup = 1, info?: { params?: { G: number; D: number } }): Promise<number[]> {
  const t = wnganTrainer(rt, c);
  if (info) info.params = ganParams(t.gan);
  try {
    const times: number[] = [];
    for (let i = 0; i < warmup + iters; i++) {
      const ms = await t.iteration();
      if (i >= warmup) times.push(ms);
    }
    return times;
  } finally {
    t.dispose();
  }
}

/**
 * Milliseconds of `steps` reconstruction steps (after `warmup`): G (eval mode, no parameter gradients)
 * forward from z, MSE against a random batch, backward to z, one RMSprop step on z (lr 0.01, alpha 0.9,
 * eps 1e-6), waited for on the GPU.
 */
export async function timeWnganRecon(rt: Runtime, c: DcganBenchConfig, steps: number, warmup = 1): Promise<number[]> {
  const G = new DcganGenerator(new Rng(1).fork('G'), { imageSize: c.imageSize, norm: c.norm, codeSize: DEFAULTS.codeSize, baseWidth: c.width });
  G.eval().requiresGrad(false);
  const rng = new Rng(2);
  const xs = new Float32Array(c.batch * 3 * c.imageSize * c.imageSize);
  rng.fillUniform(xs, 0, 1);
  const x = keep(tensor(xs, [c.batch, 3, c.imageSize, c.imageSize]));
  const z: Tensor = keep(full([c.batch, DEFAULTS.codeSize], 0));
  z.requiresGrad = true;
  const opt = new RMSprop([{ name: 'z', tensor: z }], { lr: 0.01, alpha: 0.9, eps: 1e-6 });
  try {
    const times: number[] = [];
    for (let i = 0; i < warmup + steps; i++) {
      const t0 = performance.now();
      tidy(() => {
        const l = mse(G.forward(z), x);
        opt.zeroGrad();
        backward(l);
        opt.step();
      });
      await rt.sync();
      if (i >= warmup) times.push(performance.now() - t0);
    }
    return times;
  } finally {
    opt.dispose();
    x.dispose();
    z.dispose();
    G.dispose();
  }
}
