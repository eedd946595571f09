/**
 * Plain safetensors state_dicts (PyTorch names, no wngan metadata) and the API's reconstruction metric:
 * the recon fixture's generator (made by PyTorch, scripts/make_recon_fixture.py) loads by its bare names,
 * missing BatchNorm buffers get their initial values and are listed, mismatches are named, and reconstruct()
 * reproduces PyTorch's final z, per-image errors and MSE (the same tolerance as the metric's own test).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useGpu } from '../helpers/gpu.js';
import { assertClose } from '../helpers/check.js';
import { createGan, loadStateDict, reconstruct, saveSafetensors, stateDict, type StateDict } from '../../src/api/index.js';
import { decodeSafetensors, type SafeTensor } from '../../src/io/safetensors.js';
import { DcganGenerator } from '../../src/models/dcgan.js';
import { Rng } from '../../src/util/rng.js';
import { smallConfig } from './small-data.js';

const f64 = (t: SafeTensor) => Array.from(t.data as Float64Array, Number);
const BN_BUFFER = /\.(running_mean|running_var|num_batches_tracked)$/;

function fixture() {
  const path = join(__dirname, '..', 'fixtures', 'recon', 'recon_batch.safetensors');
  const { tensors: T, metadata } = decodeSafetensors(new Uint8Array(readFileSync(path)), path);
  const cfg = JSON.parse(metadata!.config);
  // G's state_dict as PyTorch saves it: bare names
  const plain: StateDict = Object.fromEntries(Object.entries(T).filter(([k]) => k.startsWith('G.')).map(([k, v]) => [k.slice(2), v]));
  return { T, cfg, plain };
}

describe('state_dict loading and reconstruct() (package API)', () => {
  useGpu();

  it('a PyTorch generator loads by bare names; reconstruct() matches PyTorch', async () => {
    const { T, cfg, plain } = fixture();
    const S = cfg.imageSize as number;
    const G = new DcganGenerator(new Rng(1), { imageSize: S, norm: 'batch', codeSize: cfg.codeSize, baseWidth: cfg.baseWidth });
    expect(loadStateDict(G, saveSafetensors(plain)).defaulted).toEqual([]);
    const r = await reconstruct(G, T['input.x']!.data as Float32Array, { imageSize: S, codeSize: cfg.codeSize }, {
      steps: cfg.steps, batchSize: cfg.batch, lr: cfg.lr, alpha: cfg.alpha, eps: cfg.eps, returnImages: true,
    });
    assertClose(r.z, f64(T['expect.z']!), 'final z', 1e-4);
    assertClose(r.images!, f64(T['expect.recon']!), 'reconstructions', 1e-4);
    assertClose(r.perImage, f64(T['expect.per_image']!), 'per-image MSE', 1e-4);
    const mse = f64(T['expect.mse']!)[0]!;
    expect(Math.abs(r.mse - mse) / mse).toBeLessThan(1e-4);
    expect(r.perImage.length).toBe(cfg.count);
    expect(r.z.length).toBe(cfg.count * cfg.codeSize);

    // the same file without its BatchNorm buffers: they are reset to PyTorch's initial values and listed
    const removed = Object.keys(plain).filter((k) => BN_BUFFER.test(k));
    expect(removed.length).toBeGreaterThan(0);
    const { defaulted } = loadStateDict(G, Object.fromEntries(Object.entries(plain).filter(([k]) => !BN_BUFFER.test(k))));
    expect([...defaulted].sort()).toEqual([...removed].sort());
    const after = await stateDict(G);
    for (const k of removed) {
      const want = k.endsWith('running_var') ? 1 : 0;
      expect(Array.from(after[k]!.data as ArrayLike<number | bigint>, Number).every((v) => v === want), k).toBe(true);
    }
    // the weights were still loaded from the file
    expect(after['main.0.weight']!.data).toEqual(plain['main.0.weight']!.data);
    G.dispose();
  });

  it('mismatches are named: missing and unexpected tensors, shapes; strict: false ignores extra names', async () => {
    const { cfg, plain } = fixture();
    const G = new DcganGenerator(new Rng(1), { imageSize: cfg.imageSize, norm: 'batch', codeSize: cfg.codeSize, baseWidth: cfg.baseWidth });
    const { ['main.0.weight']: w, ...noWeight } = plain;
    expect(() => loadStateDict(G, noWeight, { source: 'G.safetensors' })).toThrow(/G.safetensors: .*missing tensors \(expected, not in file\): main\.0\.weight/s);
    const extra = { ...plain, 'head.weight': w! };
    expect(() => loadStateDict(G, extra)).toThrow(/state_dict: .*unexpected tensors \(in file, not expected\): head\.weight/s);
    expect(loadStateDict(G, extra, { strict: false }).defaulted).toEqual([]);
    const wrong = { ...plain, 'main.0.weight': { dtype: 'F32' as const, shape: [2, 2], data: new Float32Array(4) } };
    expect(() => loadStateDict(G, wrong)).toThrow(/shape mismatch for "main\.0\.weight": expected \[\d+(,\d+)*\], found \[2,2\]/);
    G.dispose();
  });

  it('gan.loadStateDict: G.*/D.* names, with or without optimiser state; BN buffers defaulted in both nets', async () => {
    const src = createGan(smallConfig({ norm: 'batch' }));
    const full = await src.stateDict();
    const dst = createGan(smallConfig({ norm: 'batch', seed: 2 }));
    expect(dst.loadStateDict(saveSafetensors(full)).defaulted).toEqual([]);
    expect(await dst.stateDict()).toEqual(full);
    const bare = Object.fromEntries(Object.entries(full).filter(([k]) => !k.startsWith('optim.') && !BN_BUFFER.test(k)));
    const { defaulted } = dst.loadStateDict(bare);
    expect(defaulted.some((k) => k.startsWith('G.main.')) && defaulted.some((k) => k.startsWith('D.main.'))).toBe(true);
    expect(defaulted.every((k) => BN_BUFFER.test(k))).toBe(true);
    src.dispose();
    dst.dispose();
  });
});
