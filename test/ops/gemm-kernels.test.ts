// The committed GEMM kernels are exactly the output of their generator (no GPU): editing one without the
// other (and rerunning `node scripts/gen-gemm-kernels.mjs`) fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { subgroupKernel, tiledKernel } from '../../scripts/gen-gemm-kernels.mjs';

describe('generated GEMM kernels', () => {
  it.each([
    ['kernels/gemm_subgroup.wgsl', subgroupKernel],
    ['kernels/gemm_tiled.wgsl', tiledKernel],
  ])('%s is the generator output, byte for byte', (file, gen) => {
    const committed = readFileSync(file, 'utf8');
    const generated = gen();
    // the first differing line makes a readable failure; the full comparison guards the rest
    const a = committed.split('\n'), b = generated.split('\n');
    const i = a.findIndex((line, j) => line !== b[j]);
    expect(i < 0 ? null : `line ${i + 1}: ${JSON.stringify(a[i])} vs generated ${JSON.stringify(b[i])}`).toBeNull();
    expect(generated === committed).toBe(true);
  });
});
