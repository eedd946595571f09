/** The experiment grid and the report's statistics and charts, without a GPU. */
import { describe, expect, it } from 'vitest';
import { gridDifferences, gridJobs, milestoneIterations, type ExperimentGrid } from '../../src/experiment/grid.js';
import { jobOrder } from '../../src/experiment/executor.js';
import { DEFAULTS } from '../../src/train/config.js';
import { mean, ratioOfMeans, std, t975 } from '../../src/report/stats.js';
import { lineChart, niceTicks } from '../../src/report/svg.js';

const grid = (over: Partial<ExperimentGrid> = {}): ExperimentGrid => ({
  norms: ['batch', 'weight'], seeds: 2, base: { ...DEFAULTS, iterations: 2000, out: '' }, splitSeed: 1, finalSteps: 100, finalLast: false,
  milestones: 4, qualitySamples: 500, classifier: null, classifierIterations: 10, quality: true, ...over,
});

describe('experiment grid', () => {
  it('makes one run per (norm, seed) with a shared split and data, after the classifier it needs', () => {
    const jobs = gridJobs(grid());
    expect(jobs.map((j) => j.name)).toEqual(['classifier', 'batch-s1', 'weight-s1', 'batch-s2', 'weight-s2']);
    const runs = jobs.filter((j) => j.kind === 'train');
    for (const r of runs) {
      expect(r.config.splitSeed).toBe(1);
      expect(r.config.data).toEqual(DEFAULTS.data);
      expect(r.config.out).toBe(`runs/${r.name}`);
      expect(r.milestones).toEqual([500, 1000, 1500, 2000]);
      expect(r.needs).toEqual(['classifier']);
    }
    expect(runs.map((r) => r.config.seed)).toEqual([1, 1, 2, 2]);
    // a given classifier is used as is: no classifier job
    const given = gridJobs(grid({ classifier: '/x/c.safetensors' }));
    expect(given.map((j) => j.name)).not.toContain('classifier');
    expect(given.every((j) => j.kind === 'train' && j.quality.classifier === '/x/c.safetensors' && j.needs.length === 0)).toBe(true);
    // without quality, no classifier at all
    expect(gridJobs(grid({ quality: false })).every((j) => j.kind === 'train' && j.quality.classifier === null)).toBe(true);
  });

  it('orders jobs after what they need and rejects unknown needs', () => {
    const jobs = gridJobs(grid());
    expect(jobOrder([...jobs].reverse())[0].name).toBe('classifier');
    const bad = jobs.filter((j) => j.kind === 'train');
    expect(() => jobOrder(bad)).toThrow(/needs 'classifier', which is not in the grid/);
  });

  it('spaces milestones evenly and ends at the last iteration', () => {
    expect(milestoneIterations(10, 4)).toEqual([3, 5, 8, 10]);
    expect(milestoneIterations(3, 5)).toEqual([1, 2, 3]);
  });

  it('names the flags that differ between two grids', () => {
    expect(gridDifferences(grid(), grid())).toEqual([]);
    const d = gridDifferences(grid(), grid({ seeds: 3, base: { ...grid().base, lrD: 2e-5 } }));
    expect(d).toEqual(['base.lrD: 0.0001 → 0.00002', 'seeds: 2 → 3']);
  });
});

describe('report statistics', () => {
  it('mean and sample standard deviation', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(std([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3), 14);
    expect(std([7])).toBe(0);
  });

  it('ratio of means with a delta-method interval', () => {
    const a = [0.9, 1.0, 1.1];
    const b = [1.9, 2.0, 2.1];
    const r = ratioOfMeans(a, b);
    expect(r.ratio).toBeCloseTo(0.5, 14);
    // by hand: var(log a-bar) = 0.01/(3·1), var(log b-bar) = 0.01/(3·4); Welch df from those
    const va = 0.01 / 3;
    const vb = 0.01 / 12;
    const df = (va + vb) ** 2 / (va * va / 2 + vb * vb / 2);
    expect(df).toBeGreaterThan(2);
    const f = Math.exp(t975(df) * Math.sqrt(va + vb));
    expect(r.low).toBeCloseTo(0.5 / f, 12);
    expect(r.high).toBeCloseTo(0.5 * f, 12);
    expect(r.low).toBeLessThan(0.5);
    expect(Number.isNaN(ratioOfMeans([1], [2]).low)).toBe(true);
  });

  it('charts are plain SVG with round ticks', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(3, 97, 4)).toEqual([25, 50, 75]);
    const svg = lineChart([{ label: 'weight', color: '#00f', points: [{ x: 1, y: 2, lo: 1, hi: 3 }, { x: 2, y: 1, lo: 0.5, hi: 1.5 }] }], { title: 't<', xLabel: 'x', yLabel: 'y' });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('t&lt;');
    expect(svg).toContain('<polygon');
    expect(svg).not.toMatch(/href|<script/);
  });
});
