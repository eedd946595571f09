/**
 * The paper's DCGAN (R1), for any even image size ≥ 8: D halves the map with k4 s2 convolutions from 64
 * channels up (doubling per level) and ends with a full-size convolution to one logit and a sigmoid; G mirrors
 * it from a linear layer on z to f_top×s_L×s_L, then k4 s2 transposed convolutions, and ends with a sigmoid
 * (images in [0, 1]). Padding is 1, or 2 at levels whose size is 2 mod 4 (see levelPlan).
 *
 * norm: 'none'          conv/linear with biases, PReLU
 *       'batch'         as none, plus BatchNorm (D: every level but the first; G: every hidden layer)
 *       'weight'        strict WN + TPReLU in every hidden layer (G's input linear included, init ×0.01);
 *                       affine WN for the last layer of G and of D
 *       'weight-affine' every WN layer affine, plain PReLU (the paper's ablation)
 */
import type { Rng } from '../util/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module, Sequential } from '../nn/module.js';
import {
  BatchNorm, Conv2d, ConvTranspose2d, Flatten, Linear, PReLU, Sigmoid, TPReLU, Unflatten,
  WNConv2d, WNConvTranspose2d, WNLinear, type ConvSpec,
} from '../nn/layers.js';

export const NORMS = ['none', 'batch', 'weight', 'weight-affine'] as const;
export type Norm = (typeof NORMS)[number];

export interface DcganConfig {
  imageSize: number;
  norm: Norm;
  /** size of z (default 128) */
  codeSize: number;
  /** channels of D's first level (64 in the paper); doubles per level */
  baseWidth: number;
}

export interface LevelPlan {
  /** [s_0 = imageSize, s_1, ..., s_L]: the map size at each level; s_L is D's final kernel and G's start map */
  sizes: number[];
  /** extraPad[i] (0 or 1) for i < L: D's conv reading level i and G's transposed conv writing it use padding 1 + extraPad[i] */
  extraPad: number[];
}

/**
 * The levels as the paper's code builds them (R1 stormraiser/GAN-weight-norm @08372cf; R2
 * stormraiser/gan-weightnorm-resnet @18695b1, which takes the level count from its feature list instead).
 * Count: s = imageSize; while s ≥ 8: s = ⌈s/2⌉, L += 1 (R1 pytorch/main.py:134-139, torch/main.lua:97-104).
 * Sizes: a level of size ≡ 2 (mod 4), except the last, is halved by k4 s2 with padding 2 on every side, giving
 * s/2 + 1 (even again, so the next halving is exact); every other level with padding 1, giving s/2. G runs the
 * same plan backwards: its transposed conv writing level i uses the same padding, (s_{i+1} − 1)·2 − 2p + 4 = s_i,
 * so no output_padding or crop is needed. D's final conv has kernel s_L, G's start map is s_L × s_L.
 * (R1 pytorch/model.py:16-28,47-54 D, 63-85,107-113,127-132 G; torch/model.lua:14-52 D, 60-85,106-110,124-128 G;
 * R2 model.py:18-41 D, 51-75,88 G.) Odd sizes are refused as R1 does (pytorch/model.py:10-11,61-62): G could
 * not produce them (R2 builds a G for 35 px that outputs 32 px).
 */
export function levelPlan(imageSize: number): LevelPlan {
  if (!Number.isInteger(imageSize) || imageSize < 8) throw new RangeError(`image size must be an integer ≥ 8, got ${imageSize}`);
  if (imageSize % 2 !== 0) throw new RangeError(`image size ${imageSize} is odd: the paper's architectures need an even size (its code refuses odd ones)`);
  let levels = 0;
  for (let s = imageSize; s >= 8; s = Math.ceil(s / 2)) levels++;
  const sizes = [imageSize];
  const extraPad: number[] = [];
  for (let i = 0; i < levels; i++) {
    const pad = i < levels - 1 && sizes[i] % 4 === 2 ? 1 : 0;
    extraPad.push(pad);
    sizes.push((sizes[i] + 2 * pad) / 2);
  }
  return { sizes, extraPad };
}

/** The map sizes of levelPlan: [s_0 = imageSize, ..., s_L]. */
export function levelSizes(imageSize: number): number[] {
  return levelPlan(imageSize).sizes;
}

const isWn = (n: Norm) => n === 'weight' || n === 'weight-affine';

function activation(norm: Norm, channels: number): Module {
  return norm === 'weight' ? new TPReLU(channels) : new PReLU(channels);
}

function conv(rng: Rng, norm: Norm, s: ConvSpec, last: boolean): Module {
  if (!isWn(norm)) return new Conv2d(rng, s);
  return new WNConv2d(rng, s, last || norm === 'weight-affine');
}

function deconv(rng: Rng, norm: Norm, s: ConvSpec, last: boolean): Module {
  if (!isWn(norm)) return new ConvTranspose2d(rng, s);
  return new WNConvTranspose2d(rng, s, last || norm === 'weight-affine');
}

export class DcganDiscriminator extends Module {
  readonly main: Sequential;
  constructor(rng: Rng, readonly cfg: DcganConfig) {
    super();
    const { sizes, extraPad } = levelPlan(cfg.imageSize);
    const layers: Module[] = [];
    let c = 3;
    let f = cfg.baseWidth;
    for (let i = 1; i < sizes.length; i++) {
      layers.push(conv(rng, cfg.norm, { inC: c, outC: f, kernel: 4, stride: 2, padding: 1 + extraPad[i - 1] }, false));
      if (cfg.norm === 'batch' && i > 1) layers.push(new BatchNorm(f));
      layers.push(activation(cfg.norm, f));
      c = f;
      f *= 2;
    }
    const last = sizes[sizes.length - 1];
    layers.push(conv(rng, cfg.norm, { inC: c, outC: 1, kernel: last, stride: 1, padding: 0 }, true));
    layers.push(new Flatten(), new Sigmoid());
    this.main = this.child('main', new Sequential(layers));
  }
  /** images [B,3,S,S] in [0,1] → probabilities [B,1] */
  forward(x: Tensor): Tensor {
    return this.main.forward(x);
  }
}

export class DcganGenerator extends Module {
  readonly main: Sequential;
  constructor(rng: Rng, readonly cfg: DcganConfig) {
    super();
    const { sizes, extraPad } = levelPlan(cfg.imageSize);
    const levels = sizes.length - 1;
    const s0 = sizes[levels];
    let f = cfg.baseWidth * 2 ** (levels - 1);
    const layers: Module[] = [];
    const n = f * s0 * s0;
    // G's input layer: the paper initialises the WN linear 100× smaller
    layers.push(isWn(cfg.norm) ? new WNLinear(rng, cfg.codeSize, n, cfg.norm === 'weight-affine', 0.01) : new Linear(rng, cfg.codeSize, n));
    layers.push(new Unflatten([f, s0, s0]));
    if (cfg.norm === 'batch') layers.push(new BatchNorm(f));
    layers.push(activation(cfg.norm, f));
    for (let i = 1; i < levels; i++) {
      // writes level `levels − i`
      layers.push(deconv(rng, cfg.norm, { inC: f, outC: f / 2, kernel: 4, stride: 2, padding: 1 + extraPad[levels - i] }, false));
      if (cfg.norm === 'batch') layers.push(new BatchNorm(f / 2));
      layers.push(activation(cfg.norm, f / 2));
      f /= 2;
    }
    layers.push(deconv(rng, cfg.norm, { inC: f, outC: 3, kernel: 4, stride: 2, padding: 1 + extraPad[0] }, true));
    layers.push(new Sigmoid());
    this.main = this.child('main', new Sequential(layers));
  }
  /** z [B, codeSize] → images [B,3,S,S] in [0,1] */
  forward(z: Tensor): Tensor {
    return this.main.forward(z);
  }
}
