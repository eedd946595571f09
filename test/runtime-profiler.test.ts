import { describe, expect, it } from 'vitest';
import { useGpu } from './helpers/gpu.js';
import { tidy } from '../src/tensor/scope.js';
import { add, full, relu } from '../src/ops/elementwise.js';
import { sum } from '../src/ops/reduce.js';
import type { ProfileCapture } from '../src/gpu/runtime.js';
import { opGroup, summarizeProfile } from '../bench/profile.js';

describe('runtime profiler (timestamp queries, opt-in)', () => {
  const gpu = useGpu();
  const chain = (n: number) =>
    tidy(() => {
      let x = full([4096], 1);
      for (let i = 0; i < n; i++) x = add(x, relu(x));
      return sum(x);
    });

  it('is off by default and refuses to collect while off', async () => {
    const rt = gpu.rt();
    expect(rt.profiling).toBe(false);
    await expect(rt.collectProfile()).rejects.toThrow(/profiling is off/);
  });

  it('times every dispatch under its kernel name, with the same results as unprofiled', async () => {
    const rt = gpu.rt();
    if (!rt.hasFeature('timestamp-query')) {
      expect(() => rt.startProfiling()).toThrow(/timestamp-query/);
      return;
    }
    const plain = chain(5);
    const expected = await plain.item();
    plain.dispose();

    rt.startProfiling();
    try {
      const d0 = rt.counters.dispatches;
      const y = chain(5);
      expect(await y.item()).toBe(expected);
      y.dispose();
      const p = await rt.collectProfile();
      expect(p.dispatches.length).toBe(rt.counters.dispatches - d0);
      const names = new Set(p.dispatches.map((d) => d.name));
      expect(names).toContain('elementwise:binary');
      expect(names).toContain('elementwise:unary');
      for (const d of p.dispatches) {
        expect(Number.isFinite(d.ms)).toBe(true);
        expect(d.ms).toBeGreaterThanOrEqual(0);
        expect(d.key.startsWith(d.name + '|')).toBe(true);
      }
      expect(p.submits.length).toBeGreaterThan(0);
      expect(p.submits.reduce((a, s) => a + s.dispatches, 0)).toBe(p.dispatches.length);
      // collecting empties the record; profiling stays on
      expect((await rt.collectProfile()).dispatches.length).toBe(0);
      expect(rt.profiling).toBe(true);
    } finally {
      rt.stopProfiling();
    }
    expect(rt.profiling).toBe(false);
  });

  it('splits submits at the query-set capacity and batches again once stopped', async () => {
    const rt = gpu.rt();
    if (!rt.hasFeature('timestamp-query')) return;
    rt.startProfiling();
    try {
      const y = chain(300); // > 512 dispatches: more than one submit
      await y.item();
      y.dispose();
      const p = await rt.collectProfile();
      expect(p.dispatches.length).toBeGreaterThan(600);
      expect(p.submits.length).toBeGreaterThan(1);
    } finally {
      rt.stopProfiling();
    }
    await rt.sync();
    const s0 = rt.counters.submits;
    const y = chain(100);
    await y.item();
    y.dispose();
    expect(rt.counters.submits - s0).toBe(1);
  });
});

describe('profile summary (bench/profile.ts)', () => {
  const cap = (ds: [string, number][]): ProfileCapture => ({
    dispatches: ds.map(([key, ms]) => ({ name: key.split('|')[0], key, workgroups: [1, 1, 1], ms, submit: 0, startMs: 0 })),
    submits: [{ index: 0, dispatches: ds.length, spanMs: ds.reduce((a, [, ms]) => a + ms, 0) + 1 }],
    quantized: false,
  });

  it('groups kernels by the prefix before the colon', () => {
    expect(opGroup('loss:pointwise')).toBe('loss');
    expect(opGroup('conv_gemm_subgroup_r32')).toBe('conv_gemm_subgroup_r32');
  });

  it('gives calls and ms per iteration, shares of the kernel sum and the gap to the wall time', () => {
    const it1 = cap([['conv2d:gather|A=1', 6], ['loss:pointwise|', 1], ['loss:backward|', 1]]);
    const it2 = cap([['conv2d:gather|A=1', 8], ['loss:pointwise|', 1], ['loss:backward|', 3]]);
    const p = summarizeProfile([it1, it2], [10, 14]);
    expect(p.iterations).toBe(2);
    expect(p.wall_ms_median).toBe(12);
    expect(p.kernel_sum_ms).toBe(10);
    expect(p.gap_ms).toBe(2); // each iteration: wall − its own kernel sum (10 − 8, 14 − 12)
    expect(p.gpu_span_ms).toBe(11);
    expect(p.conv_share).toBe(0.7);
    expect(p.groups).toEqual([
      { name: 'conv2d', calls: 1, totalMs: 7, meanMs: 7, share: 0.7 },
      { name: 'loss', calls: 2, totalMs: 3, meanMs: 1.5, share: 0.3 },
    ]);
    expect(p.kernels.map((k) => [k.name, k.op, k.totalMs])).toEqual([
      ['conv2d:gather', 'conv2d', 7],
      ['loss:backward', 'loss', 2],
      ['loss:pointwise', 'loss', 1],
    ]);
    expect(p.variants[0]).toMatchObject({ name: 'conv2d:gather|A=1', grids: [{ workgroups: '1×1×1', calls: 1, totalMs: 7 }] });
    expect(() => summarizeProfile([it1], [10, 14])).toThrow(/one capture and one wall time/);
  });
});
