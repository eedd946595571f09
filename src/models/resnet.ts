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
 * Levels and padding follow levelPlan (dcgan.ts), as R2 model.py:18-41,51-71 does: at a level of size ≡ 2 mod 4
 * (not the last) the down/up-sampling conv pads 2 instead of 1, D's shortcut zero-pads 1 before pooling and G's
 * shortcut crops 1 after upsampling (R2 modules/ResidueBlock.py:18,23-24,45,66).
 */
import type { Rng } from '../util/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module, Sequential } from '../nn/module.js';
import { Flatten, PReLU, TPReLU, Unflatten, WNConv2d, WNConvTranspose2d, WNLinear } from '../nn/layers.js';
import { constant } from '../nn/init.js';
import { add, affine, mul, reshape, sigmoid } from '../ops/elementwise.js';
import { avgPool2x2, upsampleNearest2x } from '../ops/resample.js';
import { conv2d, convTranspose2d } from '../ops/conv.js';
import { weightedAdd } from '../ops/weighted-add.js';
import { keep } from '../tensor/scope.js';
import { levelPlan, levelSizes } from './dcgan.js';

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

/*
 * Our ops have no pad or crop, so R2's padded shortcuts are written as per-channel convolutions with a fixed
 * 1×1×2×2 kernel, the channels folded into the batch (so the cost is per channel, not channels²):
 *   ZeroPad2d(1) → AvgPool2d(2)  =  conv k2 s2 p1 with weights ¼: out[y] = ¼·Σ x[2y−1+k] (zeros outside)
 *   nearest ×2 → crop 1 per side =  transposed conv k2 s2 p1 with weights 1: out[y] = x[⌊(y+1)/2⌋]
 */
function perChannel(x: Tensor, f: (planes: Tensor) => Tensor): Tensor {
  const [N, C, H, W] = x.shape;
  const y = f(reshape(x, [N * C, 1, H, W]));
  return reshape(y, [N, C, y.shape[2], y.shape[3]]);
}

/** R2's ZeroPad2d(1) then AvgPool2d(2): [N,C,H,W] → [N,C,H/2+1,W/2+1]; `quarter` is a [1,1,2,2] tensor of 0.25. */
export function padAvgPool2x2(x: Tensor, quarter: Tensor): Tensor {
  return perChannel(x, (p) => conv2d(p, quarter, null, { stride: 2, padding: 1 }));
}

/** R2's nearest ×2 upsampling then a crop of 1 per side: [N,C,H,W] → [N,C,2H−2,2W−2]; `ones` is a [1,1,2,2] tensor of 1. */
export function upsampleNearest2xCrop(x: Tensor, ones: Tensor): Tensor {
  return perChannel(x, (p) => convTranspose2d(p, ones, null, { stride: 2, padding: 1 }));
}

/** A fixed [1,1,2,2] kernel, kept out of the parameters and checkpoints (R2's pad/crop have no weights). */
const fixedKernel = (v: number): Tensor => keep(constant([1, 1, 2, 2], v));

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
  /** the ¼ kernel of the padded shortcut pool, when extraPad */
  private readonly quarter: Tensor | null;
  constructor(rng: Rng, readonly inC: number, readonly outC: number, readonly down: boolean, readonly extraPad = 0) {
    super();
    const stride = down ? 2 : 1;
    this.conv1 = this.child('conv1', new WNConv2d(rng, { inC, outC, kernel: stride + 2, stride, padding: 1 + extraPad }, false));
    this.act1 = this.child('act1', new TPReLU(outC));
    this.conv2 = this.child('conv2', new WNConv2d(rng, { inC: outC, outC, kernel: 3, stride: 1, padding: 1 }, false));
    this.shortcut = inC !== outC ? this.child('shortcut', new WNConv2d(rng, { inC, outC, kernel: 1, stride: 1, padding: 0 }, false)) : null;
    this.merge = this.child('merge', new Merge(outC));
    this.act = this.child('act', new TPReLU(outC));
    this.quarter = extraPad ? fixedKernel(0.25) : null;
  }
  forward(x: Tensor): Tensor {
    const r = this.conv2.forward(this.act1.forward(this.conv1.forward(x)));
    let s = this.quarter ? padAvgPool2x2(x, this.quarter) : this.down ? avgPool2x2(x) : x;
    if (this.shortcut) s = this.shortcut.forward(s);
    return this.act.forward(this.merge.merge(r, s));
  }
  override dispose(): void {
    super.dispose();
    this.quarter?.dispose();
  }
}

class GBlock extends Module {
  readonly conv1: WNConvTranspose2d;
  readonly act1: TPReLU;
  readonly conv2: WNConvTranspose2d;
  readonly shortcut: WNConvTranspose2d | null;
  readonly merge: Merge;
  readonly out: Module;
  /** the ones kernel of the cropped shortcut upsampling, when extraPad */
  private readonly ones: Tensor | null;
  constructor(rng: Rng, readonly inC: number, readonly outC: number, readonly up: boolean, last: boolean, readonly extraPad = 0) {
    super();
    const stride = up ? 2 : 1;
    this.conv1 = this.child('conv1', new WNConvTranspose2d(rng, { inC, outC: inC, kernel: 3, stride: 1, padding: 1 }, false));
    this.act1 = this.child('act1', new TPReLU(inC));
    this.conv2 = this.child('conv2', new WNConvTranspose2d(rng, { inC, outC, kernel: stride + 2, stride, padding: 1 + extraPad }, false));
    this.shortcut = inC !== outC ? this.child('shortcut', new WNConvTranspose2d(rng, { inC, outC, kernel: 1, stride: 1, padding: 0 }, false)) : null;
    this.merge = this.child('merge', new Merge(outC));
    this.out = this.child(last ? 'affine' : 'act', last ? new ChannelAffine(outC) : new TPReLU(outC));
    this.ones = extraPad ? fixedKernel(1) : null;
  }
  forward(x: Tensor): Tensor {
    const r = this.conv2.forward(this.act1.forward(this.conv1.forward(x)));
    let s = this.shortcut ? this.shortcut.forward(x) : x;
    if (this.ones) s = upsampleNearest2xCrop(s, this.ones);
    else if (this.up) s = upsampleNearest2x(s);
    return this.out.forward(this.merge.merge(r, s));
  }
  override dispose(): void {
    super.dispose();
    this.ones?.dispose();
  }
}

export class ResnetDiscriminator extends Module {
  readonly blocks: Sequential;
  readonly final: WNConv2d;
  readonly flatten = new Flatten();
  constructor(rng: Rng, readonly cfg: ResnetConfig) {
    super();
    const widths = resnetWidths(cfg);
    const { sizes, extraPad } = levelPlan(cfg.imageSize);
    const blocks: Module[] = [];
    let c = 3;
    widths.forEach((w, level) => {
      for (let b = 0; b < cfg.blocksPerLevel; b++) {
        blocks.push(b === 0 ? new DBlock(rng, c, w, true, extraPad[level]) : new DBlock(rng, w, w, false));
      }
      c = w;
    });
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
    const { sizes, extraPad } = levelPlan(cfg.imageSize);
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
        blocks.push(new GBlock(rng, inC, lastOfLevel ? outC : inC, lastOfLevel, lastOfLevel && level === 0, lastOfLevel ? extraPad[level] : 0));
      }
    }
    this.blocks = this.child('blocks', new Sequential(blocks));
  }
  forward(z: Tensor): Tensor {
    return sigmoid(this.blocks.forward(this.input.forward(z)));
  }
}
