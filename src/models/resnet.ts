/**
 * The WN ResNet of the paper's second code base (R2). Every convolution is strict weight-normalised; blocks
 * merge their residual and shortcut paths with the normalised weighted addition (a·r + b·s)/sqrt(a² + b²),
 * (a, b) initialised to (0, 1) so every block starts as its shortcut, then TPReLU.
 *   D (input rescaled to [−1, 1]): per level, blocks; the first block of a level downsamples. Residual:
 *     WNConv(in→out, k = stride+2, stride, pad 1) → TPReLU → WNConv(out→out, 3, 1, 1). Shortcut:
 *     AvgPool2d(2) when downsampling, then a 1×1 WNConv when channels change. Then an affine WN conv with
 *     a full-size kernel to one logit.
 *   G: affine WN Linear(z → f_top·s0²) (init ×0.01) → PReLU; per level (top to bottom) blocks whose last
 *     one upsamples ×2. Residual: WNConvT(in→in, 3, 1, 1) → TPReLU → WNConvT(in→out, k = stride+2, stride,
 *     pad 1). Shortcut: 1×1 WNConvT when channels change, then nearest ×2 upsampling. The very last block
 *     ends in a per-channel Affine(3) (scale 1, bias 0) instead of TPReLU; output sigmoid.
 * "21 layers" = 5 levels × 2 blocks (20 convolutions) + 1: the preset RESNET21.
 */
import type { Rng } from '../util/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module, Sequential } from '../nn/module.js';
import { Flatten, PReLU, TPReLU, Unflatten, WNConv2d, WNConvTranspose2d, WNLinear } from '../nn/layers.js';
import { constant } from '../nn/init.js';
import { add, affine, mul, reshape, sigmoid } from '../ops/elementwise.js';
import { avgPool2x2, upsampleNearest2x } from '../ops/resample.js';
import { weightedAdd } from '../ops/weighted-add.js';
import { levelSizes } from './dcgan.js';

export interface ResnetConfig {
  imageSize: number;
  codeSize: number;
  /** width of the first (finest) level; doubles per level unless `widths` is given */
  baseWidth: number;
  blocksPerLevel: number;
  /** explicit widths per level, finest first (e.g. [64, 128, 256, 384, 512]) */
  widths?: number[];
}

/** 5 levels × 2 blocks + the final conv: the paper's 21-layer configuration (needs images of ≥ 128 px). */
export const RESNET21: Pick<ResnetConfig, 'blocksPerLevel' | 'widths'> = { blocksPerLevel: 2, widths: [64, 128, 256, 384, 512] };

export function resnetWidths(c: ResnetConfig): number[] {
  const levels = levelSizes(c.imageSize).length - 1;
  const w = c.widths ?? Array.from({ length: levels }, (_, i) => c.baseWidth * 2 ** i);
  if (w.length !== levels) throw new RangeError(`ResNet: ${w.length} widths given but ${c.imageSize} px images have ${levels} levels`);
  return w;
}

/** Per-channel (a, b) merge, initialised to (0, 1): the block starts as its shortcut. */
class Merge extends Module {
  readonly a: Tensor;
  readonly b: Tensor;
  constructor(channels: number) {
    super();
    this.a = this.param('a', constant([channels], 0));
    this.b = this.param('b', constant([channels], 1));
  }
  forward(): Tensor {
    throw new Error('Merge.forward takes two inputs; use merge()');
  }
  merge(residual: Tensor, shortcut: Tensor): Tensor {
    return weightedAdd(residual, shortcut, this.a, this.b);
  }
}

/** Per-channel y = scale·x + bias (G's final Affine(3)). */
class ChannelAffine extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  constructor(readonly channels: number) {
    super();
    this.weight = this.param('weight', constant([channels], 1));
    this.bias = this.param('bias', constant([channels], 0));
  }
  forward(x: Tensor): Tensor {
    const shape = [1, this.channels, 1, 1];
    return add(mul(x, reshape(this.weight, shape)), reshape(this.bias, shape));
  }
}

class DBlock extends Module {
  readonly conv1: WNConv2d;
  readonly act1: TPReLU;
  readonly conv2: WNConv2d;
  readonly shortcut: WNConv2d | null;
  readonly merge: Merge;
  readonly act: TPReLU;
  constructor(rng: Rng, readonly inC: number, readonly outC: number, readonly down: boolean) {
    super();
    const stride = down ? 2 : 1;
    this.conv1 = this.child('conv1', new WNConv2d(rng, { inC, outC, kernel: stride + 2, stride, padding: 1 }, false));
    this.act1 = this.child('act1', new TPReLU(outC));
    this.conv2 = this.child('conv2', new WNConv2d(rng, { inC: outC, outC, kernel: 3, stride: 1, padding: 1 }, false));
    this.shortcut = inC !== outC ? this.child('shortcut', new WNConv2d(rng, { inC, outC, kernel: 1, stride: 1, padding: 0 }, false)) : null;
    this.merge = this.child('merge', new Merge(outC));
    this.act = this.child('act', new TPReLU(outC));
  }
  forward(x: Tensor): Tensor {
    const r = this.conv2.forward(this.act1.forward(this.conv1.forward(x)));
    let s = this.down ? avgPool2x2(x) : x;
    if (this.shortcut) s = this.shortcut.forward(s);
    return this.act.forward(this.merge.merge(r, s));
  }
}

class GBlock extends Module {
  readonly conv1: WNConvTranspose2d;
  readonly act1: TPReLU;
  readonly conv2: WNConvTranspose2d;
  readonly shortcut: WNConvTranspose2d | null;
  readonly merge: Merge;
  readonly out: Module;
  constructor(rng: Rng, readonly inC: number, readonly outC: number, readonly up: boolean, last: boolean) {
    super();
    const stride = up ? 2 : 1;
    this.conv1 = this.child('conv1', new WNConvTranspose2d(rng, { inC, outC: inC, kernel: 3, stride: 1, padding: 1 }, false));
    this.act1 = this.child('act1', new TPReLU(inC));
    this.conv2 = this.child('conv2', new WNConvTranspose2d(rng, { inC, outC, kernel: stride + 2, stride, padding: 1 }, false));
    this.shortcut = inC !== outC ? this.child('shortcut', new WNConvTranspose2d(rng, { inC, outC, kernel: 1, stride: 1, padding: 0 }, false)) : null;
    this.merge = this.child('merge', new Merge(outC));
    this.out = this.child(last ? 'affine' : 'act', last ? new ChannelAffine(outC) : new TPReLU(outC));
  }
  forward(x: Tensor): Tensor {
    const r = this.conv2.forward(this.act1.forward(this.conv1.forward(x)));
    let s = this.shortcut ? this.shortcut.forward(x) : x;
    if (this.up) s = upsampleNearest2x(s);
    return this.out.forward(this.merge.merge(r, s));
  }
}

export class ResnetDiscriminator extends Module {
  readonly blocks: Sequential;
  readonly final: WNConv2d;
  readonly flatten = new Flatten();
  constructor(rng: Rng, readonly cfg: ResnetConfig) {
    super();
    const widths = resnetWidths(cfg);
    const sizes = levelSizes(cfg.imageSize);
    const blocks: Module[] = [];
    let c = 3;
    for (const w of widths) {
      for (let b = 0; b < cfg.blocksPerLevel; b++) {
        blocks.push(new DBlock(rng, b === 0 ? c : w, w, b === 0));
      }
      c = w;
    }
    this.blocks = this.child('blocks', new Sequential(blocks));
    const last = sizes[sizes.length - 1];
    this.final = this.child('final', new WNConv2d(rng, { inC: c, outC: 1, kernel: last, stride: 1, padding: 0 }, true));
  }
  /** images in [0,1] → logits [B,1] */
  forward(x: Tensor): Tensor {
    return this.flatten.forward(this.final.forward(this.blocks.forward(affine(x, 2, -1))));
  }
}

export class ResnetGenerator extends Module {
  readonly input: Sequential;
  readonly blocks: Sequential;
  constructor(rng: Rng, readonly cfg: ResnetConfig) {
    super();
    const widths = resnetWidths(cfg);
    const sizes = levelSizes(cfg.imageSize);
    const s0 = sizes[sizes.length - 1];
    const top = widths[widths.length - 1];
    this.input = this.child('input', new Sequential([
      new WNLinear(rng, cfg.codeSize, top * s0 * s0, true, 0.01),
      new Unflatten([top, s0, s0]),
      new PReLU(top),
    ]));
    const blocks: Module[] = [];
    for (let level = widths.length - 1; level >= 0; level--) {
      const inC = widths[level];
      const outC = level > 0 ? widths[level - 1] : 3;
      for (let b = 0; b < cfg.blocksPerLevel; b++) {
        const lastOfLevel = b === cfg.blocksPerLevel - 1;
        blocks.push(new GBlock(rng, inC, lastOfLevel ? outC : inC, lastOfLevel, lastOfLevel && level === 0));
      }
    }
    this.blocks = this.child('blocks', new Sequential(blocks));
  }
  forward(z: Tensor): Tensor {
    return sigmoid(this.blocks.forward(this.input.forward(z)));
  }
}
