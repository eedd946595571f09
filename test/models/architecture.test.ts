/** The paper's architectures at the sizes it uses: levels, widths, shapes, layer counts. */
import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.js';
import { DcganDiscriminator, DcganGenerator, levelSizes } from '../../src/models/dcgan.js';
import { RESNET21, ResnetDiscriminator, ResnetGenerator } from '../../src/models/resnet.js';
import { Rng } from '../../src/util/rng.js';
import { tensor } from '../../src/tensor/tensor.js';
import { tidy } from '../../src/tensor/scope.js';
import { noGrad } from '../../src/autograd/tape.js';

describe('architectures', () => {
  useGpu();
  it('levels as the paper\'s code computes them', () => {
    expect(levelSizes(32)).toEqual([32, 16, 8, 4]);
    expect(levelSizes(64)).toEqual([64, 32, 16, 8, 4]);
    expect(levelSizes(128)).toEqual([128, 64, 32, 16, 8, 4]);
    expect(levelSizes(160)).toEqual([160, 80, 40, 20, 10, 5]); // G starts at 5×5
    expect(() => levelSizes(36)).toThrow(/level size 9 is odd/);
  });

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

  for (const [size, norm] of [[64, 'batch'], [128, 'weight'], [160, 'none']] as const) {
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
});
