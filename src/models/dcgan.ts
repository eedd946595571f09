/**
 * The paper's DCGAN (R1), for any image size whose levels stay even: D halves the map with k4 s2 p1
 * convolutions from 64 channels up (doubling per level) and ends with a full-size convolution to one
 * logit and a sigmoid; G mirrors it from a linear layer on z to f_top×s0×s0, then k4 s2 p1 transposed
 * convolutions, and ends with a sigmoid (images in [0, 1]).
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

/**
 * The map sizes of the levels, as the paper's code computes them: start at the image size, halve while
 * ≥ 8. Returns [s_0 = imageSize, s_1, ..., s_L] with s_L the final (G's start) size.
 */
export function levelSizes(imageSize: number): number[] {
  if (!Number.isInteger(imageSize) || imageSize < 8) throw new RangeError(`image size must be an integer ≥ 8, got ${imageSize}`);
  const sizes = [imageSize];
  let s = imageSize;
  while (s >= 8) {
    if (s % 2 !== 0) {
      throw new RangeError(`image size ${imageSize} is not supported: level size ${s} is odd (use sizes that halve evenly to below 8, e.g. 32, 64, 128, 160)`);
    }
    s = s / 2;
    sizes.push(s);
  }
  return sizes;
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
    const sizes = levelSizes(cfg.imageSize);
    const layers: Module[] = [];
    let c = 3;
    let f = cfg.baseWidth;
    for (let i = 1; i < sizes.length; i++) {
      layers.push(conv(rng, cfg.norm, { inC: c, outC: f, kernel: 4, stride: 2, padding: 1 }, false));
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
    const sizes = levelSizes(cfg.imageSize);
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
      layers.push(deconv(rng, cfg.norm, { inC: f, outC: f / 2, kernel: 4, stride: 2, padding: 1 }, false));
      if (cfg.norm === 'batch') layers.push(new BatchNorm(f / 2));
      layers.push(activation(cfg.norm, f / 2));
      f /= 2;
    }
    layers.push(deconv(rng, cfg.norm, { inC: f, outC: 3, kernel: 4, stride: 2, padding: 1 }, true));
    layers.push(new Sigmoid());
    this.main = this.child('main', new Sequential(layers));
  }
  /** z [B, codeSize] → images [B,3,S,S] in [0,1] */
  forward(z: Tensor): Tensor {
    return this.main.forward(z);
  }
}
