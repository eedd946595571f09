/**
 * `wngan experiment --queue` and `wngan worker` on loopback, with a redis-server (AOF on, a password) that the
 * test starts on a free port: a grid of 6 tiny runs on 3 worker processes (each job once, the local
 * executor's numbers, a rerun queues nothing), kill -9 of a worker mid-run (another worker resumes it from
 * its checkpoint, same numbers), a Redis restart mid-grid (nothing lost), clear errors for bad URLs and
 * refused authentication, and malformed job specs rejected without running anything.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCli, type Cli } from '../helpers/cli.js';
import { gridJobs } from '../../src/experiment/grid.js';
import type { ExperimentRecord } from '../../src/experiment/record.js';
import { experimentKey, QUEUED_JOB_FORMAT, runId } from '../../src/experiment/queue-job.js';

const PASSWORD = 'test-pw-4f8a1c';
const env = { ...process.env, WNGAN_REDIS_PASSWORD: PASSWORD };
// two norms × three seeds of a width-4 DCGAN at 16 px, 6 iterations; a tiny classifier; 40 held-out images
const TINY = ['--norms', 'batch,weight', '--seeds', '3', '--iterations', '6', '--image-size', '16', '--width', '4', '--code-size', '8', '--batch', '4',
  '--final-test', '40', '--running-test', '8', '--recon-every', '3', '--recon-steps', '2', '--final-steps', '3', '--checkpoint-every', '2',
  '--sample-every', '1000', '--milestones', '2', '--quality-samples', '40', '--classifier-iterations', '3'];

let c: Cli;
let port = 0;
let redis: ChildProcess | null = null;
const started: ChildProcess[] = [];
const url = () => `redis://127.0.0.1:${port}/0`;
// upper bounds only, for a machine shared with other work (on 2 idle cores the whole file takes about 2 minutes)
const WAIT_MS = 600_000;
const T = 1_800_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lines = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    }).on('error', reject);
  });
}

async function startRedis(): Promise<void> {
  const dir = join(c.dir, 'redis');
  mkdirSync(dir, { recursive: true });
  redis = await redisServer(['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir, '--requirepass', PASSWORD]);
}

/** A redis-server with these arguments (the password goes in through the command line here: a test on loopback). */
async function redisServer(args: string[]): Promise<ChildProcess> {
  const p = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(p);
  let out = '';
  p.stdout!.on('data', (d) => (out += d));
  for (let t = 0; t < 600 && !out.includes('Ready to accept connections'); t++) {
    if (p.exitCode !== null) throw new Error(`redis-server exited: ${out}`);
    await sleep(100);
  }
  if (!out.includes('Ready to accept connections')) throw new Error(`redis-server did not start: ${out}`);
  return p;
}

async function stopRedis(): Promise<void> {
  const p = redis!;
  redis = null;
  if (p.exitCode !== null) return;
  const exited = new Promise((r) => p.on('exit', r));
  p.kill('SIGTERM');
  await exited;
}

interface Proc { p: ChildProcess; out: () => string; exit: Promise<number | null> }
function launch(args: string[], envOverride: NodeJS.ProcessEnv = env): Proc {
  const p = spawn(process.execPath, [c.cli, ...args], { env: envOverride, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(p);
  let out = '';
  p.stdout!.on('data', (d) => (out += d));
  p.stderr!.on('data', (d) => (out += d));
  const exit = new Promise<number | null>((r) => p.on('exit', (code) => r(code)));
  return { p, out: () => out, exit };
}
const worker = (queueName: string, lockSeconds: number) => launch(['worker', '--queue', url(), '--queue-name', queueName, '--lock-seconds', String(lockSeconds)]);
async function stopWorker(w: Proc): Promise<void> {
  if (w.p.exitCode === null) w.p.kill('SIGTERM');
  expect(await w.exit, w.out()).toBe(0);
}
const connection = () => ({ host: '127.0.0.1', port, password: PASSWORD, maxRetriesPerRequest: null });
const record = (dir: string) => JSON.parse(readFileSync(join(dir, 'experiment.json'), 'utf8')) as ExperimentRecord;

beforeAll(async () => {
  c = await makeCli('wngan-queue');
  port = await freePort();
  await startRedis();
}, T);
afterAll(async () => {
  for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  if (redis) await stopRedis();
  c.cleanup();
});

describe('wngan experiment --queue and wngan worker', () => {
  const ref = () => join(c.dir, 'ref');
  let refSummary: Record<string, any>;
  const numbers = (s: Record<string, any>, norm: string, seed: number) =>
    ['recon', 'fd', 'kid'].map((k) => s.norms[norm][k].values[s.norms[norm][k].seeds.indexOf(seed)]);

  it('bad URLs, a refused connection and a refused password are plain errors that never show the password', async () => {
    const r = (args: string[], e: Record<string, string> = {}) => c.run(args, e);
    expect(r(['worker', '--queue', 'http://127.0.0.1:1']).stderr).toContain("unsupported scheme 'http:'");
    expect(r(['worker', '--queue', 'not a url']).stderr).toContain('is not a URL');
    const inUrl = r(['worker', '--queue', `redis://:${PASSWORD}@127.0.0.1:${port}/0`]);
    expect(inUrl.stderr).toContain('the URL holds a password; put it in the WNGAN_REDIS_PASSWORD environment variable');
    expect(inUrl.stderr).not.toContain(PASSWORD);
    expect(r(['worker', '--queue', `redis://127.0.0.1:${port}/x`]).stderr).toContain('the database');
    const refused = r(['worker', '--queue', `redis://127.0.0.1:${await freePort()}/0`]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+\/0: connection refused/);
    const noPassword = r(['worker', '--queue', url()], { WNGAN_REDIS_PASSWORD: '' });
    expect(noPassword.stderr).toContain('needs a password: set WNGAN_REDIS_PASSWORD');
    const out = join(c.dir, 'never');
    const wrong = r(['experiment', ...TINY, '--out', out, '--queue', url()], { WNGAN_REDIS_PASSWORD: 'wrong-pw-9z' });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain('refused the authentication');
    expect(wrong.stderr).not.toContain('wrong-pw-9z');
    // nothing was written before the queue was reachable
    expect(existsSync(out)).toBe(false);
  }, T);

  it('rediss:// connects with TLS (a private CA through NODE_EXTRA_CA_CERTS), and an unknown CA is a plain error', async () => {
    const d = join(c.dir, 'tls');
    mkdirSync(d);
    const ssl = (args: string[]) => {
      const r = spawnSync('openssl', args, { cwd: d, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    };
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    ssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=wngan test CA']);
    ssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
    writeFileSync(join(d, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
    ssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'san.ext']);
    const tlsPort = await freePort();
    const server = await redisServer(['--port', '0', '--tls-port', String(tlsPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--requirepass', PASSWORD,
      '--tls-cert-file', join(d, 'server.pem'), '--tls-key-file', join(d, 'server.key'), '--tls-ca-cert-file', join(d, 'ca.pem'), '--tls-auth-clients', 'no']);
    try {
      const tlsUrl = `rediss://127.0.0.1:${tlsPort}/0`;
      const unknownCa = c.run(['worker', '--queue', tlsUrl], { WNGAN_REDIS_PASSWORD: PASSWORD });
      expect(unknownCa.status).toBe(1);
      expect(unknownCa.stderr).toContain(`TLS with Redis at ${tlsUrl} failed`);
      // a worker over TLS takes a job (here one it must reject) and stops cleanly on SIGTERM
      const w = launch(['worker', '--queue', tlsUrl, '--queue-name', 'tls'], { ...env, NODE_EXTRA_CA_CERTS: join(d, 'ca.pem') });
      const q = new Queue('tls', { connection: { ...connection(), port: tlsPort, tls: { ca: readFileSync(join(d, 'ca.pem')) } } });
      try {
        await q.add('x', { format: 'nope' }, { jobId: 'tls-check' });
        for (const end = Date.now() + WAIT_MS; Date.now() < end && (await q.getJobCounts()).failed < 1;) await sleep(100);
        expect((await q.getJob('tls-check'))!.failedReason).toContain('rejected: job tls-check');
      } finally {
        await q.close();
      }
      await stopWorker(w);
      expect(w.out()).toContain(`taking jobs from ${tlsUrl}`);
    } finally {
      server.kill('SIGTERM');
    }
  }, T);

  it('6 runs on 3 workers: each job runs once, with the local executor\'s numbers; a rerun queues nothing', async () => {
    const local = launch(['experiment', ...TINY, '--out', ref()]);
    expect(await local.exit, local.out()).toBe(0);
    refSummary = JSON.parse(readFileSync(join(ref(), 'report/summary.json'), 'utf8'));

    const out = join(c.dir, 'grid');
    const workers = [worker('grid', 10), worker('grid', 10), worker('grid', 10)];
    const coord = launch(['experiment', ...TINY, '--out', out, '--queue', url(), '--queue-name', 'grid']);
    expect(await coord.exit, coord.out()).toBe(0);
    for (const w of workers) await stopWorker(w);
    const logs = workers.map((w) => w.out());
    const key = experimentKey(out, record(out));
    const names = gridJobs(record(out).grid).map((j) => j.name);
    expect(names.length).toBe(7);
    for (const name of names) {
      const starts = logs.join('\n').split('\n').filter((l) => l.startsWith(`${runId(key, name)}: started`));
      expect(starts.length, `${name} started once`).toBe(1);
    }
    expect(logs.filter((l) => l.includes(': started')).length, 'jobs spread over the workers').toBeGreaterThanOrEqual(2);
    expect(logs.join('\n')).not.toMatch(/stalled|lost its lock|back on the queue/);
    for (const name of names.filter((n) => n !== 'classifier')) {
      const log = lines(join(out, 'runs', name, 'log.jsonl'));
      expect(log.filter((e) => e.type === 'train').map((e) => e.iter), name).toEqual([1, 2, 3, 4, 5, 6]);
      expect(log.filter((e) => e.type === 'resume'), name).toEqual([]);
    }
    const q = new Queue('grid', { connection: connection() });
    try {
      const counts = await q.getJobCounts();
      expect(counts.completed).toBe(7);
      expect(counts.failed + counts.waiting + counts.active + counts.delayed).toBe(0);
      for (const name of names) expect((await q.getJob(runId(key, name)))!.attemptsMade, name).toBe(1);
      const p = (await q.getJob(runId(key, 'weight-s2')))!.progress as Record<string, any>;
      expect(p.total).toBe(40);
      expect(p.stage).toMatch(/^final test/);

      const s = JSON.parse(readFileSync(join(out, 'report/summary.json'), 'utf8'));
      expect(s.complete).toBe(true);
      expect(s.failed).toEqual([]);
      for (const norm of ['batch', 'weight']) {
        for (const k of ['recon', 'reconLast', 'fd', 'kid', 'kidStderrMean', 'restarts', 'divergedRuns', 'bestRunningRecon', 'seeds']) {
          expect(s.norms[norm][k], `${norm}.${k}`).toEqual(refSummary.norms[norm][k]);
        }
        expect(s.norms[norm].recon.values.length).toBe(3);
      }
      for (const k of ['ratio_wn_bn', 'ratio_wn_bn_ci95', 'classifierAccuracy', 'finalSteps', 'config']) expect(s[k], k).toEqual(refSummary[k]);

      // the same command again, with no worker running: everything is finished, nothing new is queued
      const again = launch(['experiment', ...TINY, '--out', out, '--queue', url(), '--queue-name', 'grid']);
      expect(await again.exit, again.out()).toBe(0);
      expect(again.out()).toContain('7 of 7 jobs already finished');
      expect((await q.getJobCounts()).completed).toBe(7);
      expect(await q.count()).toBe(0);
    } finally {
      await q.close();
    }
    for (const o of [...logs, coord.out()]) expect(o).not.toContain(PASSWORD);
  }, T);

  it('kill -9 of a worker mid-run: another worker resumes the run from its checkpoint, with the same numbers', async () => {
    const out = join(c.dir, 'killed');
    const args = ['experiment', ...TINY, '--norms', 'weight', '--seeds', '1', '--classifier', join(ref(), 'classifier.safetensors'), '--out', out, '--queue', url(), '--queue-name', 'kill'];
    const a = worker('kill', 4);
    const coord = launch(args);
    const run = join(out, 'runs', 'weight-s1');
    const trained = () => (existsSync(join(run, 'log.jsonl')) ? readFileSync(join(run, 'log.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"train"')).length : 0);
    const q = new Queue('kill', { connection: connection() });
    const seen: Record<string, any>[] = [];
    try {
      const lossesShown = () => seen.some((p) => p.stage === 'train' && p.total === 6 && Number.isFinite(Number(p.info?.D)) && Number.isFinite(Number(p.info?.G)));
      for (const end = Date.now() + WAIT_MS; Date.now() < end && (trained() < 3 || !existsSync(join(run, 'last.safetensors')) || !lossesShown()) && coord.p.exitCode === null;) {
        const job = existsSync(join(out, 'experiment.json')) ? await q.getJob(runId(experimentKey(out, record(out)), 'weight-s1')) : undefined;
        if (job?.progress && typeof job.progress === 'object') seen.push(job.progress as Record<string, any>);
        await sleep(100);
      }
      expect(existsSync(join(run, 'result.json')), 'the run finished before it could be killed').toBe(false);
      a.p.kill('SIGKILL');
      await a.exit;
      // its job process goes with it: nothing else writes the run
      const child = Number(/started \(weight-s1 of .*, process (\d+)\)/.exec(a.out())![1]);
      for (let t = 0; t < 600 && alive(child); t++) await sleep(100);
      expect(alive(child), 'the killed worker\'s job process exited').toBe(false);
      const b = worker('kill', 4);
      expect(await coord.exit, coord.out()).toBe(0);
      await stopWorker(b);
      expect(b.out()).toMatch(/weight-s1: started/);
      expect(lossesShown(), JSON.stringify(seen.slice(-3))).toBe(true);
    } finally {
      await q.close();
    }
    const log = lines(join(run, 'log.jsonl'));
    expect(log.filter((e) => e.type === 'train').map((e) => e.iter)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(log.filter((e) => e.type === 'resume').length, 'resumed from its checkpoint').toBe(1);
    const s = JSON.parse(readFileSync(join(out, 'report/summary.json'), 'utf8'));
    expect(numbers(s, 'weight', 1)).toEqual(numbers(refSummary, 'weight', 1));
    expect(numbers(s, 'weight', 1).every(Number.isFinite)).toBe(true);
  }, T);

  it('SIGTERM puts the job back at a checkpoint; a stopped coordinator reattaches; the next worker resumes the run', async () => {
    const out = join(c.dir, 'sigterm');
    const args = ['experiment', ...TINY, '--norms', 'batch', '--seeds', '1', '--classifier', join(ref(), 'classifier.safetensors'), '--out', out, '--queue', url(), '--queue-name', 'sigterm'];
    const a = worker('sigterm', 10);
    const coord = launch(args);
    const run = join(out, 'runs', 'batch-s1');
    const trained = () => (existsSync(join(run, 'log.jsonl')) ? readFileSync(join(run, 'log.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"train"')).length : 0);
    for (const end = Date.now() + WAIT_MS; Date.now() < end && trained() < 2 && coord.p.exitCode === null;) await sleep(100);
    // the coordinator only detaches: the worker goes on
    coord.p.kill('SIGINT');
    expect(await coord.exit, coord.out()).toBe(130);
    expect(coord.out()).toContain('detached; the workers go on');
    a.p.kill('SIGTERM');
    expect(await a.exit, a.out()).toBe(0);
    expect(existsSync(join(run, 'result.json')), 'the run finished before the worker was stopped').toBe(false);
    expect(a.out()).toContain('stopped at a checkpoint; back on the queue');
    const q = new Queue('sigterm', { connection: connection() });
    try {
      const job = (await q.getJob(runId(experimentKey(out, record(out)), 'batch-s1')))!;
      expect(await job.getState()).toBe('waiting');
      expect(job.attemptsMade, 'stopping uses up no attempt').toBe(0);
    } finally {
      await q.close();
    }
    const b = worker('sigterm', 10);
    const again = launch(args);
    expect(await again.exit, again.out()).toBe(0);
    await stopWorker(b);
    expect(b.out()).toMatch(/batch-s1: started/);
    const log = lines(join(run, 'log.jsonl'));
    expect(log.filter((e) => e.type === 'train').map((e) => e.iter)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(log.filter((e) => e.type === 'resume').length, 'resumed from its checkpoint').toBe(1);
    expect(numbers(JSON.parse(readFileSync(join(out, 'report/summary.json'), 'utf8')), 'batch', 1)).toEqual(numbers(refSummary, 'batch', 1));
  }, T);

  it('a job that keeps failing is failed after --attempts and shown in the report; --retry-failed runs it again', async () => {
    const out = join(c.dir, 'failing');
    const classifier = join(c.dir, 'broken.safetensors');
    writeFileSync(classifier, 'not a safetensors file');
    const args = ['experiment', ...TINY, '--norms', 'weight', '--seeds', '1', '--classifier', classifier, '--out', out, '--queue', url(), '--queue-name', 'failing', '--attempts', '2'];
    const w = worker('failing', 10);
    try {
      const coord = launch(args);
      expect(await coord.exit, coord.out()).toBe(1);
      expect(coord.out()).toMatch(/weight-s1: FAILED after 2 attempt\(s\): \S/);
      expect(coord.out()).toContain('1 job(s) failed for good');
      expect(w.out().split('\n').filter((l) => /weight-s1: started/.test(l)).length, 'attempts').toBe(2);
      const failed = JSON.parse(readFileSync(join(out, 'runs/weight-s1/failed.json'), 'utf8'));
      expect(failed.attempts).toBe(2);
      expect(failed.error).toMatch(/safetensors/i);
      const s = JSON.parse(readFileSync(join(out, 'report/summary.json'), 'utf8'));
      expect(s.complete).toBe(false);
      expect(s.failed).toEqual([{ name: 'weight-s1', error: failed.error, attempts: 2 }]);
      expect(readFileSync(join(out, 'report/index.html'), 'utf8')).toContain('<b>Failed runs</b>');
      // the cause fixed: the rerun puts the job back, and it finishes
      cpSync(join(ref(), 'classifier.safetensors'), classifier);
      const again = launch([...args, '--retry-failed']);
      expect(await again.exit, again.out()).toBe(0);
      expect(again.out()).toContain('queueing it again (--retry-failed)');
      expect(existsSync(join(out, 'runs/weight-s1/failed.json'))).toBe(false);
      const s2 = JSON.parse(readFileSync(join(out, 'report/summary.json'), 'utf8'));
      expect(s2.failed).toEqual([]);
      expect(numbers(s2, 'weight', 1)).toEqual(numbers(refSummary, 'weight', 1));
    } finally {
      await stopWorker(w);
    }
  }, T);

  it('a Redis restart in the middle of the grid loses nothing', async () => {
    const out = join(c.dir, 'restart');
    const args = ['experiment', ...TINY, '--seeds', '1', '--classifier', join(ref(), 'classifier.safetensors'), '--out', out, '--queue', url(), '--queue-name', 'restart'];
    const w = worker('restart', 15);
    const coord = launch(args);
    const log = join(out, 'runs', 'batch-s1', 'log.jsonl');
    for (const end = Date.now() + WAIT_MS; Date.now() < end && !(existsSync(log) && readFileSync(log, 'utf8').includes('"train"')) && coord.p.exitCode === null;) await sleep(100);
    expect(existsSync(join(out, 'runs', 'weight-s1', 'result.json')), 'the grid finished before Redis could be restarted').toBe(false);
    await stopRedis();
    await sleep(1000);
    await startRedis();
    expect(await coord.exit, coord.out()).toBe(0);
    await stopWorker(w);
    // the jobs came back from the AOF file: none had to be queued again
    expect(coord.out()).not.toContain('no longer on the queue');
    const s = JSON.parse(readFileSync(join(out, 'report/summary.json'), 'utf8'));
    expect(s.complete).toBe(true);
    for (const norm of ['batch', 'weight']) {
      expect(numbers(s, norm, 1)).toEqual(numbers(refSummary, norm, 1));
      expect(lines(join(out, 'runs', `${norm}-s1`, 'log.jsonl')).filter((e) => e.type === 'train').map((e) => e.iter)).toEqual([1, 2, 3, 4, 5, 6]);
    }
  }, T);

  it('malformed job specs on the queue are rejected without running anything', async () => {
    // an experiment folder with no runs yet: any job that ran would create its run folder
    const out = join(c.dir, 'victim');
    mkdirSync(out);
    cpSync(join(ref(), 'experiment.json'), join(out, 'experiment.json'));
    const key = experimentKey(out, record(out));
    const good = gridJobs(record(out).grid).find((j) => j.name === 'weight-s1')!;
    const marker = join(c.dir, 'pwned');
    // job ids are unique (BullMQ drops a second job with an id it has); only the tampered spec has its run's id
    const bad: [string, unknown][] = [
      [`${key}.shell`, { format: QUEUED_JOB_FORMAT, dir: out, spec: { kind: 'shell', name: 'weight-s1', command: `touch ${marker}` } }],
      [runId(key, 'weight-s1'), { format: QUEUED_JOB_FORMAT, dir: out, spec: { ...good, config: { ...(good as any).config, iterations: 1, out: '../../escape' } } }],
      ['someone-else.weight-s1', { format: QUEUED_JOB_FORMAT, dir: out, spec: good }],
      [`${key}.elsewhere`, { format: QUEUED_JOB_FORMAT, dir: join(c.dir, 'redis'), spec: good }],
      [`${key}.extra`, { format: QUEUED_JOB_FORMAT, dir: out, spec: good, command: `touch ${marker}` }],
      [`${key}.string`, `touch ${marker}`],
    ];
    const q = new Queue('bad', { connection: connection() });
    const w = worker('bad', 10);
    try {
      for (const [id, data] of bad) await q.add('bad', data, { jobId: id, attempts: 3 });
      for (const end = Date.now() + WAIT_MS; Date.now() < end && (await q.getJobCounts()).failed < bad.length;) await sleep(100);
      const failed = await q.getFailed();
      expect(failed.length).toBe(bad.length);
      for (const j of failed) {
        expect(j.failedReason, String(j.id)).toMatch(/^rejected: job /);
        expect(j.attemptsMade, `${j.id}: not retried`).toBe(1);
      }
      const reasons = failed.map((j) => j.failedReason).join('\n');
      expect(reasons).toContain("unknown job kind \"shell\"");
      expect(reasons).toContain('unexpected field(s) command');
      expect(reasons).toContain('is not an experiment folder');
      expect(reasons).toContain('its data is not an object');
      expect(reasons).toContain("the spec differs from job 'weight-s1'");
      expect(reasons).toContain("the id of job 'weight-s1' of");
    } finally {
      await q.close();
      await stopWorker(w);
    }
    expect(existsSync(marker)).toBe(false);
    expect(readdirSync(out)).toEqual(['experiment.json']);
    expect(existsSync(join(c.dir, 'escape'))).toBe(false);
  }, T);
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
