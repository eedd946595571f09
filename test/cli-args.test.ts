/** The option parser (switches, bounds, choices), the train flags' config (R2 defaults for --model resnet), the ETA. */
import { describe, expect, it } from 'vitest';
import { helpText, parseArgs } from '../src/cli/args.js';
import { configFromFlags, TRAIN_FLAGS } from '../src/cli/train-flags.js';
import { Eta } from '../src/cli/progress.js';

const SPEC = {
  guard: { type: 'boolean', default: true, help: 'a switch' },
  n: { type: 'number', default: 3, int: true, min: 1, max: 10, help: 'a count' },
  lr: { type: 'number', default: 0.1, above: 0, help: 'a rate' },
  kind: { type: 'string', default: 'a', choices: ['a', 'b'], help: 'a choice' },
} as const;

describe('parseArgs', () => {
  it('takes switches as --x, --no-x, --x=true and --x=false only', () => {
    expect(parseArgs('t', [], SPEC)!.guard).toBe(true);
    expect(parseArgs('t', ['--no-guard'], SPEC)!.guard).toBe(false);
    expect(parseArgs('t', ['--guard=false'], SPEC)!.guard).toBe(false);
    expect(parseArgs('t', ['--no-guard', '--guard'], SPEC)!.guard).toBe(true);
    expect(parseArgs('t', ['--guard=true'], SPEC)!.guard).toBe(true);
    for (const bad of ['--guard=no', '--guard=0', '--guard=', '--guard=False']) expect(() => parseArgs('t', [bad], SPEC)).toThrow(/t: --guard=.*: a switch takes --guard, --no-guard/);
    expect(() => parseArgs('t', ['--no-guard=true'], SPEC)).toThrow(/--no-guard takes no value/);
    expect(() => parseArgs('t', ['--guard', 'false'], SPEC)).toThrow(/unexpected argument 'false'/);
    expect(() => parseArgs('t', ['--no-n'], SPEC)).toThrow(/unknown option --no-n/);
  });

  it('checks numbers against their bounds, and strings against their choices, naming the flag', () => {
    expect(parseArgs('t', ['--n', '10', '--lr=1e-5'], SPEC)).toMatchObject({ n: 10, lr: 1e-5 });
    expect(() => parseArgs('t', ['--n', '11'], SPEC)).toThrow("t: --n must be an integer from 1 to 10, got '11'");
    expect(() => parseArgs('t', ['--n', '2.5'], SPEC)).toThrow("t: --n must be a whole number, got '2.5'");
    expect(() => parseArgs('t', ['--n', ''], SPEC)).toThrow("t: --n must be a number, got ''");
    expect(() => parseArgs('t', ['--n', 'Infinity'], SPEC)).toThrow(/--n must be a number/);
    expect(() => parseArgs('t', ['--lr', '0'], SPEC)).toThrow("t: --lr must be a number above 0, got '0'");
    expect(() => parseArgs('t', ['--kind', 'c'], SPEC)).toThrow("t: --kind must be one of a, b, got 'c'");
    expect(() => parseArgs('t', ['--n'], SPEC)).toThrow('t: --n needs a value');
  });

  it('reports which flags were given', () => {
    const given = new Set<string>();
    parseArgs('t', ['--n', '3', '--no-guard'], SPEC, given);
    expect([...given].sort()).toEqual(['guard', 'n']);
    expect(helpText('t', 's', SPEC)).toMatch(/--guard \/ --no-guard/);
  });

  it('bounds every numeric train flag', () => {
    for (const [k, s] of Object.entries(TRAIN_FLAGS)) {
      if (s.type !== 'number') continue;
      const f = s as { min?: number; above?: number; max?: number; below?: number };
      expect(f.min !== undefined || f.above !== undefined, k).toBe(true);
      expect(f.max !== undefined || f.below !== undefined, k).toBe(true);
    }
  });
});

describe('configFromFlags', () => {
  const parse = (a: string[]) => {
    const given = new Set<string>();
    const o = parseArgs('train', a, TRAIN_FLAGS, given)!;
    return { o, given };
  };

  it('gives --model resnet the R2 settings unless the flags are given', () => {
    const { o, given } = parse(['--model', 'resnet']);
    expect(configFromFlags(o, given)).toMatchObject({ model: 'resnet', lrD: 2e-5, lrG: 2e-5, eps: 1e-8, codeSize: 128, batchSize: 32, alpha: 0.9 });
    const own = parse(['--model', 'resnet', '--lr', '1e-4', '--eps', '1e-6', '--batch', '16', '--alpha', '0.99']);
    expect(configFromFlags(own.o, own.given)).toMatchObject({ lrD: 1e-4, lrG: 1e-4, eps: 1e-6, batchSize: 16, alpha: 0.99 });
    // without the given set, a value that differs from the default counts as given
    const other = parse(['--model', 'resnet', '--lr', '5e-5', '--eps', '1e-7']);
    expect(configFromFlags(other.o)).toMatchObject({ lrD: 5e-5, eps: 1e-7, batchSize: 32 });
    expect(configFromFlags(own.o)).toMatchObject({ lrD: 2e-5, eps: 1e-8, batchSize: 16 });
    expect(configFromFlags(parse([]).o, parse([]).given)).toMatchObject({ model: 'dcgan', lrD: 1e-4, eps: 1e-6 });
  });

  it('maps the flags to the config', () => {
    const { o, given } = parse(['--lr-d', '3e-4', '--no-divergence-guard', '--max-bad-files', '5', '--data', 'x', '--center-crop', '160']);
    expect(configFromFlags(o, given)).toMatchObject({ lrD: 3e-4, lrG: 1e-4, divergenceGuard: false, maxBadFiles: 5, data: { path: 'x', centerCrop: 160 } });
  });
});

describe('Eta', () => {
  it('leaves out the first (compiling) step', () => {
    const e = new Eta(100);
    e.update(1, 25_000); // the first iteration ends after 25 s of pipeline compilation
    expect(e.seconds(1)).toBeNaN();
    e.update(11, 30_000); // then 10 iterations in 5 s
    expect(e.rate).toBeCloseTo(2);
    expect(e.seconds(11)).toBeCloseTo(44.5);
  });
});
