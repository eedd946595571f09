/**
 * One GAN = G and D with their optimisers, built from a config with a seeded RNG, plus the R1 training
 * iteration. Kept apart from the run loop (trainer.ts) so tests can drive single iterations.
 */
import { Rng } from '../util/rng.js';
import type { Module } from '../nn/module.js';
import { DcganDiscriminator, DcganGenerator } from '../models/dcgan.js';
import { ResnetDiscriminator, ResnetGenerator } from '../models/resnet.js';
import { Adam, type Optimizer, RMSprop } from '../optim/optimizer.js';
import { tensor, type Tensor } from '../tensor/tensor.js';
import { tidy } from '../tensor/scope.js';
import { noGrad } from '../autograd/tape.js';
import { backward } from '../autograd/backward.js';
import { add, detach } from '../ops/elementwise.js';
import { bce, bceWithLogits } from '../ops/loss.js';
import type { TrainConfig } from './config.js';

export interface Gan {
  G: Module;
  D: Module;
  optG: Optimizer;
  optD: Optimizer;
  /** D outputs logits (the ResNet, R2) rather than probabilities (the DCGAN, R1) */
  dLogits: boolean;
}

export function buildGan(c: TrainConfig): Gan {
  const init = new Rng(c.seed).fork('init');
  const dcgan = { imageSize: c.imageSize, norm: c.norm, codeSize: c.codeSize, baseWidth: c.baseWidth };
  const G = c.model === 'dcgan' ? new DcganGenerator(init.fork('G'), dcgan) : new ResnetGenerator(init.fork('G'), resnetConfig(c));
  const D = c.model === 'dcgan' ? new DcganDiscriminator(init.fork('D'), dcgan) : new ResnetDiscriminator(init.fork('D'), resnetConfig(c));
  const opt = (m: Module, lr: number): Optimizer =>
    c.optimizer === 'adam'
      ? new Adam(m.parameters(), { lr, beta1: c.beta1, beta2: c.beta2, eps: c.eps })
      : new RMSprop(m.parameters(), { lr, alpha: c.alpha, eps: c.eps });
  return { G, D, optG: opt(G, c.lrG), optD: opt(D, c.lrD), dLogits: c.model === 'resnet' };
}

function resnetConfig(c: TrainConfig) {
  return { imageSize: c.imageSize, codeSize: c.codeSize, baseWidth: c.baseWidth, blocksPerLevel: c.blocksPerLevel };
}

export function setLrScale(g: Gan, c: TrainConfig, scale: number): void {
  for (const [opt, lr] of [[g.optG, c.lrG], [g.optD, c.lrD]] as const) (opt as RMSprop | Adam).opts.lr = lr * scale;
}

export function disposeGan(g: Gan): void {
  g.optG.dispose();
  g.optD.dispose();
  g.G.dispose();
  g.D.dispose();
}

/** G(z) in eval mode (BN running statistics) without gradients, read back to the host (NCHW). */
export async function generateImages(G: Module, z: Float32Array, count: number, codeSize: number): Promise<Float32Array> {
  const was = G.training;
  G.eval();
  const img = tidy(() => noGrad(() => G.forward(tensor(z.subarray(0, count * codeSize), [count, codeSize]))));
  G.train(was);
  const host = await img.read();
  img.dispose();
  return host;
}

export function sampleZ(rng: Rng, batch: number, codeSize: number): Tensor {
  const z = new Float32Array(batch * codeSize);
  rng.fillNormal(z);
  return tensor(z, [batch, codeSize]);
}

/** What trainIteration returns: the losses, and with `capture` D's outputs of its D step and that step's fake batch. */
export interface IterationTensors {
  lossD: Tensor;
  lossG: Tensor;
  /** D(real) and D(fake) of the D step ([B,1]: probabilities for R1, logits for R2), with capture.outputs */
  dReal?: Tensor;
  dFake?: Tensor;
  /** the fake images D was trained on ([B,3,S,S]), with capture.samples */
  fake?: Tensor;
}

/**
 * One training iteration. R1 (DCGAN): one D step on a real batch and a fake batch from fresh z (separate
 * forward passes, so BN sees them apart), then one G step with fresh z, non-saturating BCE.
 * R2 (ResNet): G step first (D's gradient on the fake images pushed back through G), then a D step on that
 * same fake batch plus the real one; BCE with logits. `nextZ` draws a fresh latent batch (called twice in
 * R1, once in R2). Returns the losses as tensors (not yet read back); `capture` also keeps tensors the
 * iteration computes anyway (no extra work, the same numbers).
 */
export function trainIteration(
  g: Gan, real: Float32Array, nextZ: () => Tensor, batch: number, imageSize: number,
  capture: { outputs?: boolean; samples?: boolean } = {},
): IterationTensors {
  const loss = g.dLogits ? bceWithLogits : bce;
  const kept = (dReal: Tensor, dFake: Tensor, fake: Tensor) => ({
    ...(capture.outputs ? { dReal, dFake } : {}),
    ...(capture.samples ? { fake } : {}),
  });
  return tidy(() => {
    const x = tensor(real, [batch, 3, imageSize, imageSize]);
    if (!g.dLogits) {
      const fake = noGrad(() => g.G.forward(nextZ()));
      const dReal = g.D.forward(x);
      const dFake = g.D.forward(fake);
      const lossD = add(loss(dReal, 1), loss(dFake, 0));
      g.optD.zeroGrad();
      backward(lossD);
      g.optD.step();
      g.D.requiresGrad(false);
      const lossG = loss(g.D.forward(g.G.forward(nextZ())), 1);
      g.optG.zeroGrad();
      backward(lossG);
      g.optG.step();
      g.D.requiresGrad(true);
      return { lossD, lossG, ...kept(dReal, dFake, fake) };
    }
    // R2: G step first on D(fake); then D on the same fake batch (detached) and the real one
    const fake = g.G.forward(nextZ());
    g.D.requiresGrad(false);
    const lossG = loss(g.D.forward(fake), 1);
    g.optG.zeroGrad();
    backward(lossG);
    g.optG.step();
    g.D.requiresGrad(true);
    const fakeD = detach(fake);
    const dReal = g.D.forward(x);
    const dFake = g.D.forward(fakeD);
    const lossD = add(loss(dReal, 1), loss(dFake, 0));
    g.optD.zeroGrad();
    backward(lossD);
    g.optD.step();
    return { lossD, lossG, ...kept(dReal, dFake, fakeD) };
  });
}
