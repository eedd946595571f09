/** The paper's architectures at the sizes it uses: levels, widths, shapes, layer counts. */
import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.js';
import { DcganDiscriminator, DcganGenerator, levelPlan, levelSizes } from '../../src/models/dcgan.js';
import { RESNET21, ResnetDiscriminator, ResnetGenerator } from '../../src/models/resnet.js';
import { Rng } from '../../src/util/rng.js';
import { tensor, type Tensor } from '../../src/tensor/tensor.js';
import { tidy } from '../../src/tensor/scope.js';
import { noGrad } from '../../src/autograd/tape.js';
import type { Module } from '../../src/nn/module.js';
import { ConvTranspose2d, Linear, WNConvTranspose2d, WNLinear, type ConvSpec } from '../../src/nn/layers.js';

/*
 * Expected layer lists of the paper's official code, stormraiser/GAN-weight-norm @08372cf (R1) and
 * stormraiser/gan-weightnorm-resnet @18695b1 (R2): R1 pytorch/model.py build_discriminator (lines 8-57: pad
 * 1 + [size ≡ 2 mod 4] except at the last level, final kernel = remaining size) and build_generator (59-134:
 * the same padding list, used by the transposed conv that writes each level), levels from pytorch/main.py:134-139;
 * R2 model.py:18-41 (D), 51-90 (G) and modules/ResidueBlock.py:18-28 (D block: conv_1 pad 1+p, shortcut
 * ZeroPad2d(p) → AvgPool2d(2) → 1×1 conv), 43-66 (G block: conv_2 pad 1+p, shortcut 1×1 convT → nearest ×2 →
 * crop p per side). The lists were produced by running those builders unchanged on a shape-tracing stand-in
 * for torch.nn, with f_first = 4 (R2: widths 4·2^i, 1 block per level), code size 16, norm 'none'.
 * Format: "conv in->out kK sS pP: inSize->outSize" (square maps).
 */
const R1: Record<number, { D: string[]; G: string[] }> = {
  10: {
    D: ['conv 3->4 k4 s2 p1: 10->5', 'conv 4->1 k5 s1 p0: 5->1'],
    G: ['linear 16->100', 'convT 4->3 k4 s2 p1: 5->10'],
  },
  32: {
    D: ['conv 3->4 k4 s2 p1: 32->16', 'conv 4->8 k4 s2 p1: 16->8', 'conv 8->16 k4 s2 p1: 8->4', 'conv 16->1 k4 s1 p0: 4->1'],
    G: ['linear 16->256', 'convT 16->8 k4 s2 p1: 4->8', 'convT 8->4 k4 s2 p1: 8->16', 'convT 4->3 k4 s2 p1: 16->32'],
  },
  34: {
    D: ['conv 3->4 k4 s2 p2: 34->18', 'conv 4->8 k4 s2 p2: 18->10', 'conv 8->16 k4 s2 p1: 10->5', 'conv 16->1 k5 s1 p0: 5->1'],
    G: ['linear 16->400', 'convT 16->8 k4 s2 p1: 5->10', 'convT 8->4 k4 s2 p2: 10->18', 'convT 4->3 k4 s2 p2: 18->34'],
  },
  36: {
    D: ['conv 3->4 k4 s2 p1: 36->18', 'conv 4->8 k4 s2 p2: 18->10', 'conv 8->16 k4 s2 p1: 10->5', 'conv 16->1 k5 s1 p0: 5->1'],
    G: ['linear 16->400', 'convT 16->8 k4 s2 p1: 5->10', 'convT 8->4 k4 s2 p2: 10->18', 'convT 4->3 k4 s2 p1: 18->36'],
  },
  40: {
    D: ['conv 3->4 k4 s2 p1: 40->20', 'conv 4->8 k4 s2 p1: 20->10', 'conv 8->16 k4 s2 p1: 10->5', 'conv 16->1 k5 s1 p0: 5->1'],
    G: ['linear 16->400', 'convT 16->8 k4 s2 p1: 5->10', 'convT 8->4 k4 s2 p1: 10->20', 'convT 4->3 k4 s2 p1: 20->40'],
  },
  44: {
    D: ['conv 3->4 k4 s2 p1: 44->22', 'conv 4->8 k4 s2 p2: 22->12', 'conv 8->16 k4 s2 p1: 12->6', 'conv 16->1 k6 s1 p0: 6->1'],
    G: ['linear 16->576', 'convT 16->8 k4 s2 p1: 6->12', 'convT 8->4 k4 s2 p2: 12->22', 'convT 4->3 k4 s2 p1: 22->44'],
  },
  64: {
    D: ['conv 3->4 k4 s2 p1: 64->32', 'conv 4->8 k4 s2 p1: 32->16', 'conv 8->16 k4 s2 p1: 16->8', 'conv 16->32 k4 s2 p1: 8->4', 'conv 32->1 k4 s1 p0: 4->1'],
    G: ['linear 16->512', 'convT 32->16 k4 s2 p1: 4->8', 'convT 16->8 k4 s2 p1: 8->16', 'convT 8->4 k4 s2 p1: 16->32', 'convT 4->3 k4 s2 p1: 32->64'],
  },
  100: {
    D: ['conv 3->4 k4 s2 p1: 100->50', 'conv 4->8 k4 s2 p2: 50->26', 'conv 8->16 k4 s2 p2: 26->14', 'conv 16->32 k4 s2 p1: 14->7', 'conv 32->1 k7 s1 p0: 7->1'],
    G: ['linear 16->1568', 'convT 32->16 k4 s2 p1: 7->14', 'convT 16->8 k4 s2 p2: 14->26', 'convT 8->4 k4 s2 p2: 26->50', 'convT 4->3 k4 s2 p1: 50->100'],
  },
  160: {
    D: ['conv 3->4 k4 s2 p1: 160->80', 'conv 4->8 k4 s2 p1: 80->40', 'conv 8->16 k4 s2 p1: 40->20', 'conv 16->32 k4 s2 p1: 20->10', 'conv 32->64 k4 s2 p1: 10->5', 'conv 64->1 k5 s1 p0: 5->1'],
    G: ['linear 16->1600', 'convT 64->32 k4 s2 p1: 5->10', 'convT 32->16 k4 s2 p1: 10->20', 'convT 16->8 k4 s2 p1: 20->40', 'convT 8->4 k4 s2 p1: 40->80', 'convT 4->3 k4 s2 p1: 80->160'],
  },
};

/** R2 per block: residual conv 1 | residual conv 2 | shortcut ("id" when it is the identity). */
const R2: Record<number, { D: string[]; G: string[] }> = {
  34: {
    D: [
      'conv 3->4 k4 s2 p2: 34->18 | conv 4->4 k3 s1 p1: 18->18 | pad1+pool: 34->18, conv 3->4 k1 s1 p0: 18->18',
      'conv 4->8 k4 s2 p2: 18->10 | conv 8->8 k3 s1 p1: 10->10 | pad1+pool: 18->10, conv 4->8 k1 s1 p0: 10->10',
      'conv 8->16 k4 s2 p1: 10->5 | conv 16->16 k3 s1 p1: 5->5 | pool: 10->5, conv 8->16 k1 s1 p0: 5->5',
      'conv 16->1 k5 s1 p0: 5->1',
    ],
    G: [
      'linear 16->400',
      'convT 16->16 k3 s1 p1: 5->5 | convT 16->8 k4 s2 p1: 5->10 | convT 16->8 k1 s1 p0: 5->5, up: 5->10',
      'convT 8->8 k3 s1 p1: 10->10 | convT 8->4 k4 s2 p2: 10->18 | convT 8->4 k1 s1 p0: 10->10, up+crop1: 10->18',
      'convT 4->4 k3 s1 p1: 18->18 | convT 4->3 k4 s2 p2: 18->34 | convT 4->3 k1 s1 p0: 18->18, up+crop1: 18->34',
    ],
  },
  36: {
    D: [
      'conv 3->4 k4 s2 p1: 36->18 | conv 4->4 k3 s1 p1: 18->18 | pool: 36->18, conv 3->4 k1 s1 p0: 18->18',
      'conv 4->8 k4 s2 p2: 18->10 | conv 8->8 k3 s1 p1: 10->10 | pad1+pool: 18->10, conv 4->8 k1 s1 p0: 10->10',
      'conv 8->16 k4 s2 p1: 10->5 | conv 16->16 k3 s1 p1: 5->5 | pool: 10->5, conv 8->16 k1 s1 p0: 5->5',
      'conv 16->1 k5 s1 p0: 5->1',
    ],
    G: [
      'linear 16->400',
      'convT 16->16 k3 s1 p1: 5->5 | convT 16->8 k4 s2 p1: 5->10 | convT 16->8 k1 s1 p0: 5->5, up: 5->10',
      'convT 8->8 k3 s1 p1: 10->10 | convT 8->4 k4 s2 p2: 10->18 | convT 8->4 k1 s1 p0: 10->10, up+crop1: 10->18',
      'convT 4->4 k3 s1 p1: 18->18 | convT 4->3 k4 s2 p1: 18->36 | convT 4->3 k1 s1 p0: 18->18, up: 18->36',
    ],
  },
  100: {
    D: [
      'conv 3->4 k4 s2 p1: 100->50 | conv 4->4 k3 s1 p1: 50->50 | pool: 100->50, conv 3->4 k1 s1 p0: 50->50',
      'conv 4->8 k4 s2 p2: 50->26 | conv 8->8 k3 s1 p1: 26->26 | pad1+pool: 50->26, conv 4->8 k1 s1 p0: 26->26',
      'conv 8->16 k4 s2 p2: 26->14 | conv 16->16 k3 s1 p1: 14->14 | pad1+pool: 26->14, conv 8->16 k1 s1 p0: 14->14',
      'conv 16->32 k4 s2 p1: 14->7 | conv 32->32 k3 s1 p1: 7->7 | pool: 14->7, conv 16->32 k1 s1 p0: 7->7',
      'conv 32->1 k7 s1 p0: 7->1',
    ],
    G: [
      'linear 16->1568',
      'convT 32->32 k3 s1 p1: 7->7 | convT 32->16 k4 s2 p1: 7->14 | convT 32->16 k1 s1 p0: 7->7, up: 7->14',
      'convT 16->16 k3 s1 p1: 14->14 | convT 16->8 k4 s2 p2: 14->26 | convT 16->8 k1 s1 p0: 14->14, up+crop1: 14->26',
      'convT 8->8 k3 s1 p1: 26->26 | convT 8->4 k4 s2 p2: 26->50 | convT 8->4 k1 s1 p0: 26->26, up+crop1: 26->50',
      'convT 4->4 k3 s1 p1: 50->50 | convT 4->3 k4 s2 p1: 50->100 | convT 4->3 k1 s1 p0: 50->50, up: 50->100',
    ],
  },
};

type Conv = Module & { s: ConvSpec };
const isConv = (m: Module): m is Conv => 's' in m && typeof (m as Conv).s?.kernel === 'number';

/** Apply a conv-like layer and describe it with the square map sizes it actually read and wrote. */
function convStep(m: Conv, x: Tensor, out: string[]): Tensor {
  const y = m.forward(x);
  expect(y.shape[2]).toBe(y.shape[3]);
  const kind = m instanceof ConvTranspose2d || m instanceof WNConvTranspose2d ? 'convT' : 'conv';
  out.push(`${kind} ${m.s.inC}->${m.s.outC} k${m.s.kernel} s${m.s.stride} p${m.s.padding}: ${x.shape[2]}->${y.shape[2]}`);
  return y;
}

/** Run a Sequential layer by layer, describing its linear and conv layers. */
function traceLayers(layers: Module[], x: Tensor, out: string[]): Tensor {
  for (const l of layers) {
    if (isConv(l)) {
      x = convStep(l, x, out);
      continue;
    }
    if (l instanceof Linear || l instanceof WNLinear) out.push(`linear ${l.inF}->${l.outF}`);
    x = l.forward(x);
  }
  return x;
}

interface Block extends Module {
  conv1: Conv; act1: Module; conv2: Conv; shortcut: Conv | null;
  down?: boolean; up?: boolean; extraPad: number;
}

/** A ResNet block in the R2 format: the residual convs traced, the shortcut from the block's own settings. */
function traceBlock(b: Block, x: Tensor, out: string[]): Tensor {
  const parts: string[] = [];
  const r1 = convStep(b.conv1, x, parts);
  convStep(b.conv2, b.act1.forward(r1), parts);
  const y = b.forward(x); // the merge checks that residual and shortcut agree in shape
  const a = x.shape[2];
  const c = y.shape[2];
  const sc: string[] = [];
  const sizing = b.down ? (b.extraPad ? 'pad1+pool' : 'pool') : b.up ? (b.extraPad ? 'up+crop1' : 'up') : null;
  const scConv = b.shortcut ? `conv${b.up ? 'T' : ''} ${b.shortcut.s.inC}->${b.shortcut.s.outC} k1 s1 p0` : null;
  if (b.up) {
    if (scConv) sc.push(`${scConv}: ${a}->${a}`);
    if (sizing) sc.push(`${sizing}: ${a}->${c}`);
  } else {
    if (sizing) sc.push(`${sizing}: ${a}->${c}`);
    if (scConv) sc.push(`${scConv}: ${c}->${c}`);
  }
  out.push([...parts, sc.join(', ') || 'id'].join(' | '));
  return y;
}

describe('architectures', () => {
  useGpu();
  it('levels as the paper\'s code computes them', () => {
    expect(levelSizes(32)).toEqual([32, 16, 8, 4]);
    expect(levelSizes(64)).toEqual([64, 32, 16, 8, 4]);
    expect(levelSizes(128)).toEqual([128, 64, 32, 16, 8, 4]);
    expect(levelSizes(160)).toEqual([160, 80, 40, 20, 10, 5]); // G starts at 5×5
    // ceil-halving count (36 → 18 → 9 → 5: 3 levels), sizes with padding 2 at levels ≡ 2 mod 4 but the last
    expect(levelPlan(36)).toEqual({ sizes: [36, 18, 10, 5], extraPad: [0, 1, 0] });
    expect(levelPlan(34)).toEqual({ sizes: [34, 18, 10, 5], extraPad: [1, 1, 0] });
    expect(levelPlan(44)).toEqual({ sizes: [44, 22, 12, 6], extraPad: [0, 1, 0] });
    expect(levelPlan(100)).toEqual({ sizes: [100, 50, 26, 14, 7], extraPad: [0, 1, 1, 0] });
    expect(levelPlan(96)).toEqual({ sizes: [96, 48, 24, 12, 6], extraPad: [0, 0, 0, 0] });
    expect(levelPlan(32)).toEqual({ sizes: [32, 16, 8, 4], extraPad: [0, 0, 0] });
    expect(levelPlan(10)).toEqual({ sizes: [10, 5], extraPad: [0] });
    // odd sizes: R1 raises (pytorch/model.py:10-11); R2 would build a G for 35 px that outputs 32 px
    expect(() => levelPlan(35)).toThrow(/odd/);
    expect(() => levelPlan(6)).toThrow(/≥ 8/);
  });

  for (const size of [10, 32, 34, 36, 40, 44, 64, 100, 160]) {
    it(`DCGAN at ${size} px: every layer and map size as the paper's code builds them, G → D end to end`, () => {
      const rng = new Rng(4);
      const cfg = { imageSize: size, norm: 'none' as const, codeSize: 16, baseWidth: 4 };
      const G = new DcganGenerator(rng, cfg);
      const D = new DcganDiscriminator(rng, cfg);
      const got = { D: [] as string[], G: [] as string[] };
      const shapes = tidy(() => noGrad(() => {
        const img = traceLayers(G.main.layers, tensor(new Float32Array(16).fill(0.1), [1, 16]), got.G);
        const p = traceLayers(D.main.layers, img, got.D);
        return [[...img.shape], [...p.shape]];
      }));
      expect(got).toEqual(R1[size]);
      expect(shapes).toEqual([[1, 3, size, size], [1, 1]]);
      G.dispose();
      D.dispose();
    });
  }

  for (const size of [34, 36, 100]) {
    it(`WN ResNet at ${size} px: every block and map size as R2's code builds them, G → D end to end`, () => {
      const rng = new Rng(5);
      const cfg = { imageSize: size, codeSize: 16, baseWidth: 4, blocksPerLevel: 1 };
      const G = new ResnetGenerator(rng, cfg);
      const D = new ResnetDiscriminator(rng, cfg);
      const got = { D: [] as string[], G: [] as string[] };
      const shapes = tidy(() => noGrad(() => {
        let x = traceLayers(G.input.layers, tensor(new Float32Array(16).fill(0.1), [1, 16]), got.G);
        for (const b of G.blocks.layers) x = traceBlock(b as Block, x, got.G);
        const img = G.forward(tensor(new Float32Array(16).fill(0.1), [1, 16]));
        let h = img;
        for (const b of D.blocks.layers) h = traceBlock(b as Block, h, got.D);
        convStep(D.final, h, got.D);
        return [[...x.shape], [...img.shape], [...D.forward(img).shape]];
      }));
      expect(got).toEqual(R2[size]);
      expect(shapes).toEqual([[1, 3, size, size], [1, 3, size, size], [1, 1]]);
      G.dispose();
      D.dispose();
    });
  }

  it('DCGAN widths at 64 px: D 3→64→128→256→512→1, G z→512·4·4→256→128→64→3', () => {
    const rng = new Rng(1);
    const D = new DcganDiscriminator(rng, { imageSize: 64, norm: 'weight', codeSize: 128, baseWidth: 64 });
    const G = new DcganGenerator(rng, { imageSize: 64, norm: 'weight', codeSize: 128, baseWidth: 64 });
    const convs = (m: DcganDiscriminator | DcganGenerator) => m.parameters().filter((p) => p.name.endsWith('.weight') && p.tensor.rank >= 2).map((p) => p.tensor.shape);
    expect(convs(D)).toEqual([[64, 3, 4, 4], [128, 64, 4, 4], [256, 128, 4, 4], [512, 256, 4, 4], [1, 512, 4, 4]]);
    expect(convs(G)).toEqual([[512 * 16, 128], [512, 256, 4, 4], [256, 128, 4, 4], [128, 64, 4, 4], [64, 3, 4, 4]]);
    // WN: strict hidden layers (no gain/bias), affine last layers, TPReLU everywhere in between
    const names = D.parameters().map((p) => p.name);
    expect(names.filter((n) => n.endsWith('gain'))).toEqual(['main.8.gain']) // 4 × (conv, TPReLU), then the final conv;
    expect(names.filter((n) => n.endsWith('threshold'))).toHaveLength(4);
    D.dispose();
    G.dispose();
  });

  for (const [size, norm] of [[64, 'batch'], [128, 'weight'], [160, 'none'], [36, 'weight'], [100, 'batch'], [34, 'weight-affine']] as const) {
    it(`DCGAN ${norm} at ${size} px: G(z) is [B,3,${size},${size}] in [0,1], D gives [B,1] probabilities`, async () => {
      const rng = new Rng(2);
      const cfg = { imageSize: size, norm, codeSize: 16, baseWidth: 4 };
      const G = new DcganGenerator(rng, cfg);
      const D = new DcganDiscriminator(rng, cfg);
      const [img, p] = tidy(() => noGrad(() => {
        const x = G.forward(tensor(Float32Array.from({ length: 32 }, (_, i) => Math.sin(i)), [2, 16]));
        return [x, D.forward(x)];
      }));
      expect([...img.shape]).toEqual([2, 3, size, size]);
      expect([...p.shape]).toEqual([2, 1]);
      const v = await img.read();
      expect(v.every((e) => e >= 0 && e <= 1)).toBe(true);
      for (const e of await p.read()) expect(e > 0 && e < 1).toBe(true);
      img.dispose();
      p.dispose();
      G.dispose();
      D.dispose();
    });
  }

  it('the 21-layer WN ResNet: 5 levels × 2 blocks = 20 convolutions + the final one, at 128 px', async () => {
    const rng = new Rng(3);
    const cfg = { imageSize: 128, codeSize: 16, baseWidth: 64, ...RESNET21, widths: [4, 6, 8, 10, 12] };
    const D = new ResnetDiscriminator(rng, cfg);
    const G = new ResnetGenerator(rng, cfg);
    const mainConvs = (names: string[]) => names.filter((n) => /conv[12]\.weight$|final\.weight$/.test(n));
    expect(mainConvs(D.parameters().map((p) => p.name))).toHaveLength(21);
    expect(mainConvs(G.parameters().map((p) => p.name))).toHaveLength(20);
    // every merge starts as its shortcut: (a, b) = (0, 1)
    const a = D.parameters().find((p) => p.name.endsWith('merge.a'))!;
    expect([...(await a.tensor.read())].every((e) => e === 0)).toBe(true);
    const [img, logit] = tidy(() => noGrad(() => {
      const x = G.forward(tensor(new Float32Array(16).fill(0.5), [1, 16]));
      return [x, D.forward(x)];
    }));
    expect([...img.shape]).toEqual([1, 3, 128, 128]);
    expect([...logit.shape]).toEqual([1, 1]);
    img.dispose();
    logit.dispose();
    D.dispose();
    G.dispose();
  });

  it('WN ResNet with 2 blocks per level at 44 px (a padded level): G(z) is [B,3,44,44] in [0,1], D gives [B,1] logits', async () => {
    const rng = new Rng(6);
    const cfg = { imageSize: 44, codeSize: 16, baseWidth: 4, blocksPerLevel: 2 };
    const G = new ResnetGenerator(rng, cfg);
    const D = new ResnetDiscriminator(rng, cfg);
    const [img, logit] = tidy(() => noGrad(() => {
      const x = G.forward(tensor(Float32Array.from({ length: 32 }, (_, i) => Math.sin(i)), [2, 16]));
      return [x, D.forward(x)];
    }));
    expect([...img.shape]).toEqual([2, 3, 44, 44]);
    expect([...logit.shape]).toEqual([2, 1]);
    expect((await img.read()).every((e) => e >= 0 && e <= 1)).toBe(true);
    expect((await logit.read()).every(Number.isFinite)).toBe(true);
    img.dispose();
    logit.dispose();
    G.dispose();
    D.dispose();
  });
});
