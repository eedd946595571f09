/**
 * `wngan experiment` as a user runs it, on the built-in Fashion-MNIST at a tiny size: every artefact of the
 * report, kill -9 in the middle and the same command again (each run trained once, the same numbers as an
 * uninterrupted experiment), a rerun with other grid flags refused (but one with another --max-bad-files
 * continued), and `wngan report` rebuilding the report.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCli, type Cli } from '../helpers/cli.js';

let c: Cli;
let dir = '';
let cli = '';
beforeAll(async () => {
  c = await makeCli('wngan-experiment');
  ({ dir, cli } = c);
});
afterAll(() => c.cleanup());

// two norms, one seed, 6 iterations of a width-4 DCGAN at 16 px; a tiny classifier; 40 held-out images
const TINY = ['--norms', 'batch,weight', '--seeds', '1', '--iterations', '6', '--image-size', '16', '--width', '4', '--code-size', '8', '--batch', '4',
  '--final-test', '40', '--running-test', '8', '--recon-every', '3', '--recon-steps', '2', '--final-steps', '3', '--checkpoint-every', '2',
  '--sample-every', '1000', '--milestones', '2', '--quality-samples', '40', '--classifier-iterations', '3'];
const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 300_000 });
const lines = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

describe('wngan experiment', () => {
  let summary: Record<string, any>;
  const ref = () => join(dir, 'ref');

  it('runs the grid and writes every artefact of the report', () => {
    const r = run(['experiment', ...TINY, '--out', ref()]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/WN\/BN final-test error ratio: \d/);
    for (const f of ['experiment.json', 'classifier.safetensors', 'classifier.json', 'jobs/batch-s1.json', 'jobs/weight-s1.json', 'jobs/classifier.json',
      'report/index.html', 'report/summary.json', 'report/plots/running-recon.svg', 'report/plots/fd.svg', 'report/plots/loss-d.svg', 'report/plots/loss-g.svg']) {
      expect(existsSync(join(ref(), f)), f).toBe(true);
    }
    for (const name of ['batch-s1', 'weight-s1']) {
      const run = join(ref(), 'runs', name);
      for (const f of ['result.json', 'final-best.json', 'final-best-recon.png', 'samples/milestone_000003.png', 'samples/milestone_000006.png', 'last.safetensors', 'best.safetensors']) {
        expect(existsSync(join(run, f)), `${name}/${f}`).toBe(true);
      }
      const log = lines(join(run, 'log.jsonl'));
      expect(log.filter((e) => e.type === 'train').map((e) => e.iter)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(log.filter((e) => e.type === 'quality').map((e) => e.iter)).toEqual([3, 6]);
    }
    const images = readdirSync(join(ref(), 'report/images'));
    expect(images.filter((f) => f.startsWith('samples-')).length).toBe(4);
    expect(images.filter((f) => f.startsWith('reconstructions-')).length).toBe(2);

    summary = JSON.parse(readFileSync(join(ref(), 'report/summary.json'), 'utf8'));
    expect(summary.complete).toBe(true);
    for (const norm of ['batch', 'weight']) {
      const n = summary.norms[norm];
      expect(n.seeds).toBe(1);
      for (const k of ['recon', 'fd', 'kid']) {
        expect(Number.isFinite(n[k].mean), `${norm}.${k}.mean`).toBe(true);
        // one seed: the spread is unknown, not zero
        expect(n[k].std, `${norm}.${k}.std`).toBe(null);
        expect(n[k].seeds).toEqual([1]);
      }
      expect(n.recon.mean).toBeGreaterThan(0);
    }
    expect(summary.ratio_wn_bn).toBeCloseTo(summary.norms.weight.recon.mean / summary.norms.batch.recon.mean, 12);
    expect(summary.finalSteps).toBe(3);
    expect(summary.classifierAccuracy).toBeGreaterThanOrEqual(0);
  }, 600_000);

  it('the report opens offline: no external references', () => {
    const html = readFileSync(join(ref(), 'report/index.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toMatch(/<img src="data:image\/png;base64,/);
    expect(html).not.toMatch(/<script|<link|<iframe|url\(|@import/i);
    expect(html).not.toMatch(/(src|href)="(?!data:)/i);
    expect(html).not.toMatch(/https?:\/\//i);
  });

  it('kill -9 mid-run, then the same command: each run trained once, the same numbers', async () => {
    const out = join(dir, 'killed');
    const args = ['experiment', ...TINY, '--out', out];
    const child = spawn(process.execPath, [cli, ...args], { stdio: 'ignore' });
    // wait until the second run has trained a little past its first checkpoint, then kill without warning
    const log = join(out, 'runs', 'weight-s1', 'log.jsonl');
    const trained = () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('"train"')).length : 0);
    for (let t = 0; t < 3000 && trained() < 3 && child.exitCode === null; t++) await new Promise((r) => setTimeout(r, 100));
    expect(child.exitCode, 'the experiment finished before it could be killed').toBe(null);
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    expect(existsSync(join(out, 'runs', 'batch-s1', 'result.json'))).toBe(true);
    expect(existsSync(join(out, 'runs', 'weight-s1', 'result.json'))).toBe(false);

    const again = run(args);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toContain('continuing the experiment');
    expect(again.stderr).toMatch(/2 of 3 jobs already finished|1 of 3 jobs already finished/);
    for (const name of ['batch-s1', 'weight-s1']) {
      const iters = lines(join(out, 'runs', name, 'log.jsonl')).filter((e) => e.type === 'train').map((e) => e.iter);
      expect(iters, name).toEqual([1, 2, 3, 4, 5, 6]);
    }
    const s = JSON.parse(readFileSync(join(out, 'report/summary.json'), 'utf8'));
    for (const norm of ['batch', 'weight']) {
      for (const k of ['recon', 'fd', 'kid']) expect(s.norms[norm][k].values, `${norm}.${k}`).toEqual(summary.norms[norm][k].values);
    }
    expect(readdirSync(join(out, 'runs', 'weight-s1')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 600_000);

  it('uses a given classifier, and records a run that diverges for good without crashing or retraining it', () => {
    const out = join(dir, 'given');
    // a huge lr without the guard: the vanilla DCGAN's losses explode within a few iterations, before any checkpoint
    const args = ['experiment', ...TINY, '--norms', 'none', '--classifier', join(ref(), 'classifier.safetensors'), '--lr', '10', '--no-divergence-guard', '--out', out];
    const r = run(args);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('diverged');
    expect(existsSync(join(out, 'classifier.safetensors'))).toBe(false);
    const result = JSON.parse(readFileSync(join(out, 'runs/none-s1/result.json'), 'utf8'));
    expect(result.divergedAt).toBeGreaterThan(0);
    const again = run(args);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toContain('1 of 1 jobs already finished');
  });

  it('refuses other grid flags into the same folder, naming them', () => {
    const r = run(['experiment', ...TINY, '--seeds', '2', '--lr', '3e-4', '--out', ref()]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('holds an experiment with other settings');
    expect(r.stderr).toContain('seeds: 1 → 2');
    expect(r.stderr).toContain('base.lrD: 0.0001 → 0.0003');
  });

  it('continues with another --max-bad-files (it decides when a run gives up, not what it computes)', () => {
    const r = run(['experiment', ...TINY, '--max-bad-files', '5', '--out', ref()]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('with base.maxBadFiles: 1 → 5');
    expect(JSON.parse(readFileSync(join(ref(), 'experiment.json'), 'utf8')).grid.base.maxBadFiles).toBe(5);
    expect(JSON.parse(readFileSync(join(ref(), 'jobs/weight-s1.json'), 'utf8')).config.maxBadFiles).toBe(5);
    // together with a flag that changes the results: refused, naming only that flag
    const both = run(['experiment', ...TINY, '--max-bad-files', '2', '--lr', '3e-4', '--out', ref()]);
    expect(both.status).not.toBe(0);
    expect(both.stderr).toContain('base.lrD: 0.0001 → 0.0003');
    expect(both.stderr).not.toContain('maxBadFiles');
  });

  it('wngan report rebuilds the report from the logs', () => {
    rmSync(join(ref(), 'report'), { recursive: true });
    const r = run(['report', ref()]);
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(readFileSync(join(ref(), 'report/summary.json'), 'utf8'));
    expect(s.norms.weight.recon.values).toEqual(summary.norms.weight.recon.values);
    expect(run(['report', join(dir, 'nothing-here')]).stderr).toContain('is not an experiment folder');
  });
});
