/**
 * The `wngan` CLI as a user runs it: Ctrl-C (SIGINT) writes a checkpoint and exits with 130 without a
 * reconstruction test, `--resume` continues with each iteration logged once; a run folder is never reused
 * by accident and a resume into another folder leaves the original as it was; bad flags and paths are
 * errors naming the flag, before the GPU starts.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCli, type Cli } from './helpers/cli.js';

let c: Cli;
beforeAll(async () => {
  c = await makeCli('wngan-cli');
});
afterAll(() => c?.cleanup());

const args = (out: string, extra: string[]) => [...c.small, '--out', out, ...extra];
const readLog = (out: string) => readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const iters = (log: { type: string; iter: number }[], type: string) => log.filter((e) => e.type === type).map((e) => e.iter);
const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** every file under `dir` with its bytes */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p).toString('base64');
    }
  };
  walk(dir);
  return out;
}

describe('wngan CLI', () => {
  it('Ctrl-C writes the checkpoint and exits with 130, without a reconstruction test; --resume DIR continues', async () => {
    const out = join(c.dir, 'run');
    // a running test after every iteration: the stop must not start one, and the resume must redo the skipped one
    const child = spawn(process.execPath, [c.cli, 'train', ...args(out, ['--iterations', '100000', '--recon-every', '1'])], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => (stdout += d));
    const log = join(out, 'log.jsonl');
    for (let t = 0; t < 600 && !(existsSync(log) && readFileSync(log, 'utf8').split('\n').length > 6); t++) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code, stderr).toBe(130);
    expect(stdout).not.toContain('reconstruction error');
    const m = /stopped at iteration (\d+)/.exec(stderr);
    expect(m, stderr).toBeTruthy();
    const stoppedAt = Number(m![1]);
    expect(stderr).toContain(`continue with: wngan train --resume ${out}`);

    const resumed = c.run(['train', '--resume', out, '--iterations', String(stoppedAt + 2)]);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resuming ${out} from iteration ${stoppedAt}`);
    expect(resumed.stderr).toContain(`finished at iteration ${stoppedAt + 2}`);
    const entries = readLog(out);
    expect(iters(entries, 'train')).toEqual(upTo(stoppedAt + 2));
    // one running test per iteration: a test the stop skipped runs when the run resumes
    expect(iters(entries, 'recon')).toEqual(upTo(stoppedAt + 2));
    expect(entries.filter((e) => e.type === 'resume')).toMatchObject([{ iter: stoppedAt, checkpoint: 'last.safetensors', changed: { iterations: { to: stoppedAt + 2 } } }]);

    const recon = c.run(['recon', '--checkpoint', join(out, 'last.safetensors'), '--split', 'running', '--steps', '2', '--json', '--png', join(out, 'recon.png')]);
    expect(recon.status, recon.stderr).toBe(0);
    const r = JSON.parse(recon.stdout.split('\n')[0]);
    expect(r.images).toBe(8);
    expect(r.msePerPixel).toBeGreaterThan(0);
    expect(existsSync(join(out, 'recon.png'))).toBe(true);
    const sample = c.run(['sample', '--checkpoint', join(out, 'last.safetensors'), '--out', join(out, 's.png'), '--count', '9']);
    expect(sample.status, sample.stderr).toBe(0);
    expect(existsSync(join(out, 's.png'))).toBe(true);
  });

  it('a second Ctrl-C exits at once with 130', async () => {
    const out = join(c.dir, 'twice');
    const child = spawn(process.execPath, [c.cli, 'train', ...args(out, ['--iterations', '100000'])], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    for (let t = 0; t < 600 && !existsSync(join(out, 'log.jsonl')); t++) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code, stderr).toBe(130);
    expect(stderr).toContain('SIGINT again: exiting now');
  });

  it('refuses a folder that holds a run; --force moves it aside; --resume --out copies it and leaves the original untouched', () => {
    const a = join(c.dir, 'a');
    expect(c.run(['train', ...args(a, ['--iterations', '2'])]).status).toBe(0);
    const before = snapshot(a);
    const again = c.run(['train', ...args(a, ['--iterations', '2'])]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/--out .*a already holds a run.*--resume.*--force/s);
    expect(snapshot(a)).toEqual(before);

    // continue in a copy with a new learning rate; model flags that differ are refused
    const b = join(c.dir, 'b');
    const conflict = c.run(['train', '--resume', join(a, 'last.safetensors'), '--out', b, '--iterations', '4', '--norm', 'batch', '--width', '8']);
    expect(conflict.status).toBe(1);
    expect(conflict.stderr).toMatch(/--norm batch \(the run has weight\).*--width 8 \(the run has 4\).*cannot change/s);
    expect(existsSync(b)).toBe(false);
    const copy = c.run(['train', '--resume', join(a, 'last.safetensors'), '--out', b, '--iterations', '4', '--lr', '0.0005']);
    expect(copy.status, copy.stderr).toBe(0);
    expect(copy.stderr).toContain(`resuming ${a} from iteration 2 in a copy at ${b}`);
    expect(snapshot(a)).toEqual(before);
    const log = readLog(b);
    expect(iters(log, 'train')).toEqual([1, 2, 3, 4]);
    expect(log.find((e) => e.type === 'resume')).toMatchObject({ iter: 2, copiedFrom: a, changed: { lrD: { from: 1e-4, to: 0.0005 }, lrG: { to: 0.0005 } } });
    expect(JSON.parse(readFileSync(join(b, 'config.json'), 'utf8'))).toMatchObject({ out: '.', lrD: 0.0005, data: { path: '../data_batch_1.bin' } });

    const forced = c.run(['train', ...args(a, ['--iterations', '1', '--force'])]);
    expect(forced.status, forced.stderr).toBe(0);
    expect(forced.stderr).toContain(`moved the run that was in ${a} to ${a}.old-1`);
    expect(snapshot(`${a}.old-1`)).toEqual(before);
    expect(iters(readLog(a), 'train')).toEqual([1]);
  });

  it('bad flags and paths are errors naming the flag, before the GPU starts', () => {
    const file = join(c.dir, 'a-file');
    writeFileSync(file, 'x');
    mkdirSync(join(c.dir, 'not-a-run'), { recursive: true });
    mkdirSync(join(c.dir, 'ckpt-dir', 'last.safetensors'), { recursive: true });
    const cases: [string[], RegExp][] = [
      [['train', '--divergence-guard=no'], /--divergence-guard=no: a switch takes --divergence-guard, --no-divergence-guard, --divergence-guard=true or --divergence-guard=false/],
      [['train', '--divergence-guard', 'no'], /unexpected argument 'no'/],
      [['train', '--iterations', '0'], /--iterations must be an integer from 1 to 100000000, got '0'/],
      [['train', '--iterations', '1e12'], /--iterations must be an integer from 1 to 100000000, got '1e12'/],
      [['train', '--batch', '2.5'], /--batch must be a whole number, got '2.5'/],
      [['train', '--lr', '0'], /--lr must be a number above 0/],
      [['train', '--lr', 'fast'], /--lr must be a number, got 'fast'/],
      [['train', '--max-bad-files', '101'], /--max-bad-files must be a number from 0 to 100/],
      [['train', '--norm', 'layer'], /--norm must be one of none, batch, weight, weight-affine, got 'layer'/],
      [['train', '--model', 'resnet', '--norm', 'batch'], /--model resnet is defined with weight normalisation only \(--norm weight\)/],
      [['train', '--running-test', '300', '--final-test', '200'], /--running-test \(300\) cannot exceed --final-test \(200\)/],
      [['train', '--bogus', '1'], /unknown option --bogus/],
      [['train', '--data', join(c.dir, 'nope.bin')], /--data .*nope\.bin: not found/],
      [['train', ...args(file, [])], /--out .*a-file is a file, not a folder/],
      [['train', ...args(join(file, 'run'), [])], /--out .*a-file\/run: cannot create .*part of the path is a file, not a folder/],
      [['train', '--resume', join(c.dir, 'not-a-run')], /--resume .*not-a-run: this folder has no last.safetensors/],
      [['train', '--resume', join(c.dir, 'ckpt-dir')], /--resume .*ckpt-dir: .*last.safetensors is a folder, not a checkpoint file/],
      [['train', '--resume', join(c.dir, 'missing')], /--resume .*missing: not found/],
      [['train', '--resume', c.data], /data_batch_1.bin/],
      [['sample', '--checkpoint', join(c.dir, 'ckpt-dir')], /--checkpoint .*ckpt-dir is a folder; give a checkpoint file/],
      [['sample', '--checkpoint', file, '--out', join(c.dir, 'ckpt-dir')], /--out .*ckpt-dir is a folder; give a file name/],
      [['sample', '--checkpoint', file, '--count', '0'], /--count must be an integer from 1 to 100000, got '0'/],
      [['recon', '--checkpoint', file, '--split', 'middle'], /--split must be one of final, running, got 'middle'/],
      [['recon', '--checkpoint', c.data], /data_batch_1.bin.*not a wngan checkpoint|data_batch_1.bin/],
    ];
    for (const [a, re] of cases) {
      const r = c.run(a);
      expect(r.status, `${a.join(' ')}\n${r.stderr}`).toBe(1);
      expect(r.stderr, a.join(' ')).toMatch(re);
      expect(r.stderr, a.join(' ')).not.toContain('adapter:');
    }
    // iterations within a resumed run: beyond the checkpoint only
    const done = join(c.dir, 'done');
    expect(c.run(['train', ...args(done, ['--iterations', '1'])]).status).toBe(0);
    const r = c.run(['train', '--resume', done]);
    expect(r.stderr).toMatch(/--resume .*done: the run is at iteration 1, its last \(--iterations 1\); give --iterations above 1/);
    // a checkpoint outside a run folder continues only in a folder of its own
    mkdirSync(join(c.dir, 'loose'));
    copyFileSync(join(done, 'last.safetensors'), join(c.dir, 'loose', 'copy.safetensors'));
    const loose = c.run(['train', '--resume', join(c.dir, 'loose', 'copy.safetensors'), '--iterations', '2']);
    expect(loose.status).toBe(1);
    expect(loose.stderr).toMatch(/loose is not a run folder \(it has no log.jsonl\); add --out DIR/);
    expect(readdirSync(join(c.dir, 'loose'))).toEqual(['copy.safetensors']);
  });

  it('a checkpoint that does not match the model is refused with every mismatch named', () => {
    const a = join(c.dir, 'ckpt-a');
    expect(c.run(['train', ...args(a, ['--iterations', '1'])]).status).toBe(0);
    // rewrite the config in the checkpoint's metadata so the model built from it is wider than its tensors
    const path = join(a, 'last.safetensors');
    const bytes = readFileSync(path);
    const n = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
    const cfg = JSON.parse(header.__metadata__.config);
    header.__metadata__.config = JSON.stringify({ ...cfg, baseWidth: 8 });
    let h = Buffer.from(JSON.stringify(header));
    h = Buffer.concat([h, Buffer.alloc((8 - (h.length % 8)) % 8, 0x20)]);
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(h.length));
    writeFileSync(join(a, 'wider.safetensors'), Buffer.concat([len, h, bytes.subarray(8 + n)]));
    const r = c.run(['sample', '--checkpoint', join(a, 'wider.safetensors'), '--out', join(a, 'x.png')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('wider.safetensors');
    expect(r.stderr).toMatch(/G\.main\.0\.weight.*shape/s);
  });
});
