// The committed implicit-GEMM conv kernels are exactly their generator's output (no GPU): editing one without
// rerunning `node scripts/gen-conv-kernels.mjs` fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONV_ROWS, convKernel, convKernelFile } from '../../scripts/gen-conv-kernels.mjs';

describe('generated conv kernels', () => {
  it.each(CONV_ROWS)('%i-row tile: the committed file is the generator output, byte for byte', (rows) => {
    expect(readFileSync(convKernelFile(rows), 'utf8') === convKernel(rows)).toBe(true);
  });
  it('refuses a tile that the 8-lane row gather cannot fill', () => {
    expect(() => convKernel(12)).toThrow(/multiple of 8, got 12/);
  });
});
