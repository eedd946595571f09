/**
 * The paper's DCGAN (R1) built from TensorFlow.js ops, for the peer benchmark: the same layers, shapes and
 * training iteration as src/models/dcgan.ts and src/train/gan.ts `trainIteration`, in NHWC (TensorFlow's
 * layout; the math is the same). Only for timing: the initialisation is not the engine's.
 *
 *   D: k4 s2 convs from `width` channels (doubling per level), BN on every level but the first ('batch'),
 *      PReLU ('batch') or TPReLU ('weight'), then a full-size conv to one logit and a sigmoid.
 *   G: linear z → f_top·s_L², BN ('batch'), activation, k4 s2 transposed convs halving the channels, the last
 *      one to 3 channels, sigmoid.
 *   'weight': the paper's WN per output channel, w = v/sqrt(Σv² + eps) (eps 1e-6 conv, 1e-8 linear), ×2
 *      (= sqrt(stride²)) for the stride-2 transposed convs, strict in hidden layers (G's linear initialised
 *      ×0.01) and affine (γ, β) in the last layer of G and of D; TPReLU(x) = PReLU_a(x − b) + b.
 *   'batch': conv/linear with biases, BN (training: batch statistics, running stats updated with momentum
 *      0.1 and the unbiased variance, eps 1e-5), PReLU.
 *   Slopes are clamped to [0, 1] after each optimiser step; BCE on probabilities with PyTorch's log clamp
 *   at −100; RMSprop lr 1e-4, decay 0.9, eps 1e-6 (TF.js puts eps inside the square root, PyTorch outside:
 *   the same work).
 *
 * One iteration: fake = G(z1) without gradients; a D step on BCE(D(x), 1) + BCE(D(fake), 0) (two D passes);
 * a G step on BCE(D(G(z2)), 1) with only G's variables differentiated (D frozen); losses read back.
 */
import type * as TF from '@tensorflow/tfjs';
import { levelPlan } from '../../src/models/dcgan.js';

type Tf = typeof TF;
type T4 = TF.Tensor4D;
/** TF.js's explicit padding, [[0,0],[top,bottom],[left,right],[0,0]] (NHWC) */
type Padding = [[number, number], [number, number], [number, number], [number, number]];

export interface TfDcganConfig {
  norm: 'batch' | 'weight';
  imageSize: number;
  width: number;
  batch: number;
  codeSize?: number;
}

interface Net {
  vars: TF.Variable[];
  buffers: TF.Variable[];
  /** PReLU/TPReLU slopes, clamped to [0, 1] after each step */
  slopes: TF.Variable[];
  forward(x: TF.Tensor): TF.Tensor;
}

/** Running-statistics updates computed during forward passes, applied after the optimiser step. */
type Pending = { v: TF.Variable; value: TF.Tensor }[];

class Builder {
  readonly vars: TF.Variable[] = [];
  readonly slopes: TF.Variable[] = [];
  /** BN running statistics (not trained) */
  readonly buffers: TF.Variable[] = [];
  constructor(private readonly tf: Tf, private readonly pending: Pending) {}

  private variable(t: TF.Tensor): TF.Variable {
    const v = this.tf.variable(t);
    this.vars.push(v);
    return v;
  }
  uniform(shape: number[], bound: number): TF.Variable {
    return this.variable(this.tf.randomUniform(shape, -bound, bound));
  }
  constant(shape: number[], value: number): TF.Variable {
    return this.variable(this.tf.fill(shape, value));
  }

  /** per-output-channel scale factor·γ/sqrt(Σ v² + eps) over `axes` (the others kept as size 1) */
  wnScale(v: TF.Tensor, axes: number[], eps: number, factor: number, gain: TF.Tensor | null): TF.Tensor {
    const tf = this.tf;
    let s = tf.mul(tf.rsqrt(tf.add(tf.sum(tf.square(v), axes, true), eps)), factor);
    if (gain) s = tf.mul(s, tf.reshape(gain, s.shape));
    return tf.mul(v, s);
  }

  activation(c: number, threshold: boolean): (x: TF.Tensor) => TF.Tensor {
    const tf = this.tf;
    const a = this.constant([c], 0.25);
    this.slopes.push(a);
    if (!threshold) return (x) => tf.prelu(x, a);
    const b = this.constant([c], 0);
    return (x) => tf.add(tf.prelu(tf.sub(x, b), a), b);
  }

  /** BatchNorm over every axis but the last (channels), training mode. */
  batchNorm(c: number): (x: TF.Tensor) => TF.Tensor {
    const tf = this.tf;
    const gamma = this.constant([c], 1);
    const beta = this.constant([c], 0);
    const rm = tf.variable(tf.zeros([c]), false);
    const rv = tf.variable(tf.ones([c]), false);
    this.buffers.push(rm, rv);
    return (x) => {
      const axes = x.shape.slice(0, -1).map((_, i) => i);
      const { mean, variance } = tf.moments(x, axes);
      const n = x.size / c;
      const m = 0.1;
      this.pending.push({ v: rm, value: tf.keep(tf.add(tf.mul(rm, 1 - m), tf.mul(mean, m))) });
      this.pending.push({ v: rv, value: tf.keep(tf.add(tf.mul(rv, 1 - m), tf.mul(variance, (m * n) / (n - 1)))) });
      return tf.batchNorm(x, mean, variance, beta, gamma, 1e-5);
    };
  }

  conv(inC: number, outC: number, k: number, stride: number, pad: number, norm: 'batch' | 'weight', affine: boolean): (x: TF.Tensor) => TF.Tensor {
    const tf = this.tf;
    const bound = 1 / Math.sqrt(inC * k * k);
    const v = this.uniform([k, k, inC, outC], bound);
    const wn = norm === 'weight';
    const gain = wn && affine ? this.constant([outC], 1) : null;
    const bias = !wn ? this.uniform([outC], bound) : affine ? this.constant([outC], 0) : null;
    const padding: Padding = [[0, 0], [pad, pad], [pad, pad], [0, 0]];
    return (x) => {
      const w = wn ? this.wnScale(v, [0, 1, 2], 1e-6, 1, gain) : v;
      const y = tf.conv2d(x as T4, w as T4, stride, pad === 0 ? 'valid' : padding);
      return bias ? tf.add(y, bias) : y;
    };
  }

  /** k4 s2 transposed conv, filter [k, k, out, in] as TF.js wants it. */
  deconv(inC: number, outC: number, k: number, stride: number, pad: number, norm: 'batch' | 'weight', affine: boolean): (x: TF.Tensor) => TF.Tensor {
    const tf = this.tf;
    const bound = 1 / Math.sqrt(inC * k * k);
    const v = this.uniform([k, k, outC, inC], bound);
    const wn = norm === 'weight';
    const gain = wn && affine ? this.constant([outC], 1) : null;
    const bias = !wn ? this.uniform([outC], bound) : affine ? this.constant([outC], 0) : null;
    const padding: Padding = [[0, 0], [pad, pad], [pad, pad], [0, 0]];
    return (x) => {
      const [B, H, W] = x.shape;
      const OH = (H - 1) * stride - 2 * pad + k;
      const OW = (W - 1) * stride - 2 * pad + k;
      const w = wn ? this.wnScale(v, [0, 1, 3], 1e-6, Math.sqrt(stride * stride), gain) : v;
      const y = tf.conv2dTranspose(x as T4, w as T4, [B, OH, OW, outC], stride, padding);
      return bias ? tf.add(y, bias) : y;
    };
  }

  linear(inF: number, outF: number, norm: 'batch' | 'weight', initScale: number): (x: TF.Tensor) => TF.Tensor {
    const tf = this.tf;
    const bound = initScale / Math.sqrt(inF);
    const v = this.uniform([inF, outF], bound);
    const bias = norm === 'weight' ? null : this.uniform([outF], bound);
    return (x) => {
      const w = norm === 'weight' ? this.wnScale(v, [0], 1e-8, 1, null) : v;
      const y = tf.matMul(x as TF.Tensor2D, w as TF.Tensor2D);
      return bias ? tf.add(y, bias) : y;
    };
  }

  net(layers: ((x: TF.Tensor) => TF.Tensor)[]): Net {
    return { vars: this.vars, buffers: this.buffers, slopes: this.slopes, forward: (x) => layers.reduce((h, f) => f(h), x) };
  }
}

function discriminator(tf: Tf, c: TfDcganConfig, pending: Pending): Net {
  const b = new Builder(tf, pending);
  const { sizes, extraPad } = levelPlan(c.imageSize);
  const layers: ((x: TF.Tensor) => TF.Tensor)[] = [];
  let ch = 3;
  let f = c.width;
  for (let i = 1; i < sizes.length; i++) {
    layers.push(b.conv(ch, f, 4, 2, 1 + extraPad[i - 1], c.norm, false));
    if (c.norm === 'batch' && i > 1) layers.push(b.batchNorm(f));
    layers.push(b.activation(f, c.norm === 'weight'));
    ch = f;
    f *= 2;
  }
  layers.push(b.conv(ch, 1, sizes[sizes.length - 1], 1, 0, c.norm, true));
  layers.push((x) => tf.sigmoid(tf.reshape(x, [x.shape[0], 1])));
  return b.net(layers);
}

function generator(tf: Tf, c: TfDcganConfig, pending: Pending): Net {
  const b = new Builder(tf, pending);
  const { sizes, extraPad } = levelPlan(c.imageSize);
  const levels = sizes.length - 1;
  const s0 = sizes[levels];
  let f = c.width * 2 ** (levels - 1);
  const code = c.codeSize ?? 128;
  const layers: ((x: TF.Tensor) => TF.Tensor)[] = [];
  layers.push(b.linear(code, f * s0 * s0, c.norm, c.norm === 'weight' ? 0.01 : 1));
  const top = f;
  layers.push((x) => tf.reshape(x, [x.shape[0], s0, s0, top]));
  if (c.norm === 'batch') layers.push(b.batchNorm(f));
  layers.push(b.activation(f, c.norm === 'weight'));
  for (let i = 1; i < levels; i++) {
    layers.push(b.deconv(f, f / 2, 4, 2, 1 + extraPad[levels - i], c.norm, false));
    if (c.norm === 'batch') layers.push(b.batchNorm(f / 2));
    layers.push(b.activation(f / 2, c.norm === 'weight'));
    f /= 2;
  }
  layers.push(b.deconv(f, 3, 4, 2, 1 + extraPad[0], c.norm, true));
  layers.push((x) => tf.sigmoid(x));
  return b.net(layers);
}

export interface TfDcgan {
  /** trained parameter counts (to compare with the engine's model) */
  params: { G: number; D: number };
  /** one R1 iteration; resolves to its wall milliseconds (losses read back, so all GPU work is done) */
  iteration(): Promise<number>;
  dispose(): void;
}

export function tfDcgan(tf: Tf, c: TfDcganConfig): TfDcgan {
  const pending: Pending = [];
  const D = discriminator(tf, c, pending);
  const G = generator(tf, c, pending);
  const code = c.codeSize ?? 128;
  const optD = tf.train.rmsprop(1e-4, 0.9, 0, 1e-6);
  const optG = tf.train.rmsprop(1e-4, 0.9, 0, 1e-6);
  const real = tf.randomUniform([c.batch, c.imageSize, c.imageSize, 3], 0, 1);
  const bce = (p: TF.Tensor, target: 0 | 1): TF.Scalar =>
    tf.neg(tf.mean(tf.maximum(tf.log(target === 1 ? p : tf.sub(1, p)), -100))) as TF.Scalar;
  const afterStep = (net: Net) =>
    tf.tidy(() => {
      for (const { v, value } of pending.splice(0)) {
        v.assign(value);
        value.dispose();
      }
      for (const a of net.slopes) a.assign(tf.clipByValue(a, 0, 1));
    });
  const count = (n: Net) => n.vars.reduce((a, v) => a + v.size, 0);
  return {
    params: { G: count(G), D: count(D) },
    async iteration() {
      const t0 = performance.now();
      const fake = tf.tidy(() => G.forward(tf.randomNormal([c.batch, code])));
      afterStep({ ...G, slopes: [] });
      const lossD = optD.minimize(() => tf.add(bce(D.forward(real), 1), bce(D.forward(fake), 0)) as TF.Scalar, true, D.vars)!;
      afterStep(D);
      fake.dispose();
      const lossG = optG.minimize(() => bce(D.forward(G.forward(tf.randomNormal([c.batch, code]))), 1), true, G.vars)!;
      afterStep(G);
      const [ld, lg] = await Promise.all([lossD.data(), lossG.data()]);
      lossD.dispose();
      lossG.dispose();
      if (!Number.isFinite(ld[0]) || !Number.isFinite(lg[0])) throw new Error(`tfjs DCGAN: non-finite loss (D ${ld[0]}, G ${lg[0]})`);
      return performance.now() - t0;
    },
    dispose() {
      for (const v of [...D.vars, ...G.vars, ...D.buffers, ...G.buffers]) v.dispose();
      optD.dispose();
      optG.dispose();
      real.dispose();
    },
  };
}
