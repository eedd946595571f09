/**
 * Every `--preset` of `wngan experiment` parses with the command's own flags and gives a valid config for each
 * of its norms (a misspelt flag or value would otherwise surface only when a user starts a days-long run).
 */
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../src/experiment/presets.js';
import { EXPERIMENT_FLAGS } from '../../src/cli/experiment.js';
import { parseArgs } from '../../src/cli/args.js';
import { configFromFlags } from '../../src/cli/train-flags.js';
import { validateConfig } from '../../src/train/config.js';

describe('experiment presets', () => {
  for (const [name, p] of Object.entries(PRESETS))
    it(`${name}: its flags parse and give a valid config for every norm`, () => {
      const given = new Set<string>();
      const o = parseArgs('experiment', [...p.flags, '--data', '/data/x'], EXPERIMENT_FLAGS, given)!;
      const norms = o.norms.split(',');
      expect(norms.length).toBeGreaterThan(0);
      for (const norm of norms) {
        const c = validateConfig({ ...configFromFlags({ ...o, norm, seed: 1, out: 'x', resume: '', force: false } as never, given), norm: norm as never, out: 'x' });
        expect(c.batchSize).toBe(32);
        expect(c.iterations).toBeGreaterThanOrEqual(100_000);
      }
      expect(o.seeds).toBe(3);
      expect(o['final-steps']).toBe(500);
    });
});
