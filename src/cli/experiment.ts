/**
 * `wngan experiment`: the paper's comparison as one command. Runs norms × seeds training runs (the same code
 * path as `wngan train`), their final tests and sample-quality measurements, then writes the report.
 * Rerunning the same command continues an interrupted experiment; other grid flags into the same folder
 * are refused.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { initNode, shutdown } from '../engine-node.js';
import { NORMS, type Norm } from '../models/dcgan.js';
import { validateConfig } from '../train/config.js';
import { guessDatasetKind } from '../data/open.js';
import { ADJUSTABLE_ON_CONTINUE, continuedGrid, gridDifferences, gridJobs, type ExperimentGrid } from '../experiment/grid.js';
import { LocalExecutor, type Executor } from '../experiment/executor.js';
import { checkQueueName, QUEUE_NAME_FLAG, QUEUE_URL_HELP } from './queue-flags.js';
import { writeJson } from '../experiment/files.js';
import { PRESETS, presetHelp } from '../experiment/presets.js';
import { EXPERIMENT_FILE, EXPERIMENT_FORMAT, readExperimentRecord, type ExperimentRecord } from '../experiment/record.js';
import { writeReport } from '../report/html.js';
import { summaryTable } from './report.js';
import { helpText, parseArgs } from './args.js';
import { configFromFlags, TRAIN_FLAGS } from './train-flags.js';
import { progress } from './progress.js';
import { CLASSIFIER_DEFAULTS } from '../metrics/index-quality.js';

// every train flag but those that name one run (its norm, seed, folder) or continue one
const { norm: _n, seed: _s, out: _o, resume: _r, force: _f, ...RUN_FLAGS } = TRAIN_FLAGS;
/** The flags of `wngan experiment` (exported for the preset test). */
export const EXPERIMENT_FLAGS = {
  preset: { type: 'string', default: '', help: `named settings of the paper (flags given override them): ${Object.keys(PRESETS).join(', ')}` },
  norms: { type: 'string', default: '', help: 'comma-separated norms (default: all four for the DCGAN, weight for the ResNet)' },
  seeds: { type: 'number', default: 3, help: 'runs per norm, seeds 1..N' },
  'split-seed': { type: 'number', default: 1, help: 'seed of the train/test split, shared by every run' },
  'final-steps': { type: 'number', default: 500, help: "z steps of the final test on the held-out images (the paper doesn't say; 500 is ours)" },
  'final-last': { type: 'boolean', default: false, help: "also run the final test on each run's last checkpoint (besides best)" },
  milestones: { type: 'number', default: 4, help: 'FD/KID measurements and sample grids per run, evenly spaced' },
  'quality-samples': { type: 'number', default: 2000, help: 'generated samples per FD/KID measurement' },
  quality: { type: 'boolean', default: true, help: 'measure FD/KID (on by default where it can be: a labelled data set, or --classifier; --no-quality skips it)' },
  classifier: { type: 'string', default: '', help: 'feature classifier for FD/KID (default: trained by the experiment on the training split)' },
  'classifier-iterations': { type: 'number', default: CLASSIFIER_DEFAULTS.iterations, help: "the experiment's classifier training iterations" },
  out: { type: 'string', default: 'runs/experiment', help: 'experiment folder (runs/, report/, experiment.json)' },
  queue: { type: 'string', default: '', help: `run the jobs on \`wngan worker\`s through this Redis queue: ${QUEUE_URL_HELP}; --out must be a folder that every worker mounts at the same path` },
  'queue-name': QUEUE_NAME_FLAG,
  attempts: { type: 'number', default: 3, int: true, min: 1, max: 100, help: 'with --queue: attempts per job before it fails for good' },
  'retry-failed': { type: 'boolean', default: false, help: 'with --queue: put jobs that failed for good back on the queue' },
  ...RUN_FLAGS,
} as const;

const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

export async function runExperiment(args: string[]): Promise<void> {
  const help = () => helpText('experiment', 'Train norms × seeds runs of the paper\'s GAN, test them on held-out images and write a report to --out/report.\n\npresets:\n' + presetHelp(), EXPERIMENT_FLAGS);
  const first = parseArgs('experiment', args, EXPERIMENT_FLAGS);
  if (!first) return console.log(help());
  let full = args;
  if (first.preset) {
    const p = PRESETS[first.preset];
    if (!p) throw new Error(`experiment: unknown --preset '${first.preset}' (one of ${Object.keys(PRESETS).join(', ')})`);
    if (!first.data) throw new Error(`experiment: --preset ${first.preset} needs --data (${p.needsData})`);
    full = [...p.flags, ...args];
  }
  const given = new Set<string>();
  const o = parseArgs('experiment', full, EXPERIMENT_FLAGS, given)!;
  const norms = (o.norms || (o.model === 'resnet' ? 'weight' : NORMS.join(','))).split(',').map((s) => s.trim()).filter(Boolean) as Norm[];
  for (const n of norms) if (!NORMS.includes(n)) throw new Error(`experiment: --norms: unknown norm '${n}' (one of ${NORMS.join(', ')})`);
  if (new Set(norms).size !== norms.length) throw new Error(`experiment: --norms lists a norm twice: ${o.norms}`);
  for (const k of ['seeds', 'milestones', 'quality-samples', 'final-steps', 'classifier-iterations'] as const) {
    if (!Number.isInteger(o[k]) || o[k] < 1) throw new Error(`experiment: --${k} must be a positive integer, got ${o[k]}`);
  }
  const base = configFromFlags({ ...o, norm: norms[0], seed: 1, out: '', resume: '', force: false }, given);
  // every run's config, before anything is written: a bad combination must not surface hours in
  for (const norm of norms) validateConfig({ ...base, norm, out: 'x' });
  // the job specs must mean the same from any working directory
  if (base.data.path) base.data = { ...base.data, path: resolve(base.data.path) };
  const dataKind = base.data.kind ?? (base.data.path ? await guessDatasetKind(base.data.path) : 'fashion-mnist');
  const labelled = dataKind === 'fashion-mnist' || dataKind === 'cifar10';
  if (o.quality && !labelled && !o.classifier && given.has('quality')) throw new Error(`experiment: FD/KID need a labelled data set (fashion-mnist, cifar10) to train their classifier; ${dataKind} has no labels: pass --classifier C.safetensors`);
  const quality = o.quality && (labelled || Boolean(o.classifier));
  if (o.quality && !quality) console.error(`note: ${dataKind} has no labels, so FD/KID are skipped (pass --classifier C.safetensors to measure them)`);
  const dir = resolve(o.out);
  const grid: ExperimentGrid = {
    norms, seeds: o.seeds, base: { ...base, out: '' }, splitSeed: o['split-seed'], finalSteps: o['final-steps'], finalLast: o['final-last'],
    milestones: o.milestones, qualitySamples: o['quality-samples'], classifier: o.classifier ? resolve(o.classifier) : null,
    classifierIterations: o['classifier-iterations'], quality,
  };
  const command = ['wngan', 'experiment', ...args].map(quote).join(' ');
  // with --queue: the workers train; this process only queues and follows the jobs (no GPU needed)
  const connection = o.queue ? await import('../experiment/queue-connection.js') : null;
  const target = connection ? connection.parseQueueUrl(o.queue) : null;
  const queueName = checkQueueName(o['queue-name'], 'experiment');
  if (target) await connection!.checkConnection(target);
  const rt = target ? null : await initNode();
  let stop = false;
  const onSigint = () => {
    if (stop) process.exit(130);
    stop = true;
    process.stderr.write(target ? '\ndetaching from the queue (the workers go on)\n' : '\nstopping after this iteration (checkpoint first); Ctrl-C again to abort\n');
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    const recordPath = join(dir, EXPERIMENT_FILE);
    let record: ExperimentRecord;
    if (existsSync(recordPath)) {
      const old = (record = await readExperimentRecord(dir));
      const diff = gridDifferences(old.grid, grid, ADJUSTABLE_ON_CONTINUE);
      if (diff.length) throw new Error(`experiment: ${dir} holds an experiment with other settings:\n  ${diff.join('\n  ')}\ncontinue it with its own command:\n  ${old.command}\nor choose another --out`);
      const adjusted = gridDifferences(old.grid, grid);
      if (adjusted.length) {
        // only settings that may change (ADJUSTABLE_ON_CONTINUE): the record keeps them for the jobs and workers
        record = { ...old, grid: continuedGrid(old.grid, grid) };
        await writeJson(recordPath, record);
        console.error(`continuing the experiment in ${dir} with ${adjusted.join(', ')}`);
      } else console.error(`continuing the experiment in ${dir}`);
    } else {
      await mkdir(dir, { recursive: true });
      record = { format: EXPERIMENT_FORMAT, grid, command, created: new Date().toISOString(), adapter: rt?.adapter.description ?? 'the queue\'s workers (each run records its own)', commit: gitCommit() };
      await writeJson(recordPath, record);
    }
    const jobs = gridJobs(record.grid);
    await mkdir(join(dir, 'jobs'), { recursive: true });
    for (const j of jobs) await writeJson(join(dir, 'jobs', `${j.name}.json`), j);
    if (rt) console.error(`adapter: ${rt.adapter.description}`);
    console.error(`${jobs.length} jobs: ${jobs.map((j) => j.name).join(', ')}`);
    const log = (l: string) => console.error(l);
    let executor: Executor;
    let failed: { name: string; error: string }[] = [];
    if (target) {
      const { QueueExecutor } = await import('../experiment/queue-executor.js');
      const { experimentKey } = await import('../experiment/queue-job.js');
      console.error(`queue: ${target.display}, '${queueName}'; start workers with: wngan worker --queue ${target.display}${queueName === 'wngan' ? '' : ` --queue-name ${queueName}`}`);
      const q = new QueueExecutor(dir, { target, queueName, key: experimentKey(dir, record), attempts: o.attempts, retryFailed: o['retry-failed'], log, shouldStop: () => stop });
      executor = { run: async (j) => ((await q.run(j)) === 'stopped' ? 'stopped' : ((failed = q.failed), 'done')) };
    } else executor = new LocalExecutor(dir, { progress, log, shouldStop: () => stop });
    const status = await executor.run(jobs);
    const { html, summary } = await writeReport(dir);
    console.log(summaryTable(summary));
    console.log(`report: ${html}`);
    if (status === 'stopped') {
      console.error(target ? `detached; the workers go on; rerun the same command to reattach:\n  ${command}` : `stopped; rerun the same command to continue:\n  ${command}`);
      process.exitCode = 130;
    } else if (failed.length) {
      console.error(`${failed.length} job(s) failed for good (shown in the report); fix the cause and rerun with --retry-failed:\n${failed.map((f) => `  ${f.name}: ${f.error}`).join('\n')}`);
      process.exitCode = 1;
    }
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    if (rt) shutdown();
  }
}
