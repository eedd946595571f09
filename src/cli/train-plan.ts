/**
 * What `wngan train` will do, decided before the GPU starts: a new run (its folder checked, an old run there
 * refused or moved aside with --force) or a resume (the checkpoint read, conflicting flags refused, the flags
 * that may change collected, the run copied when --out names another folder). Every path it will write is
 * checked here, so that a bad path fails in a second, not after the data and the GPU have loaded.
 */
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { FIXED_ON_RESUME, sameSetting, validateConfig, type TrainConfig } from '../train/config.js';
import { readCheckpointMeta } from '../train/checkpoint.js';
import { checkRunFolderWritable, configFromCheckpoint, copyRun, prepareNewRunFolder, resolveResume } from '../train/run-folder.js';
import { configFromFlags, FLAGS_OF_FIELD, type TrainFlags } from './train-flags.js';

export type TrainPlan =
  | { kind: 'new'; config: TrainConfig; notes: string[] }
  | { kind: 'resume'; checkpoint: string; overrides: Partial<TrainConfig>; copiedFrom?: string; notes: string[]; undo(): Promise<void> };

const show = (v: unknown) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

export async function planNewRun(o: TrainFlags, given: Set<string>): Promise<TrainPlan> {
  const config = validateConfig(configFromFlags(o, given));
  if (config.data.path !== undefined && !existsSync(config.data.path)) throw new Error(`--data ${config.data.path}: not found`);
  const notes: string[] = [];
  const movedTo = await prepareNewRunFolder(config.out, o.force);
  if (movedTo) notes.push(`--force: moved the run that was in ${config.out} to ${movedTo}`);
  await checkRunFolderWritable(config.out, `--out ${config.out}`);
  return { kind: 'new', config, notes };
}

export async function planResume(o: TrainFlags, given: Set<string>): Promise<TrainPlan> {
  const { checkpoint, runDir } = await resolveResume(o.resume);
  const meta = await readCheckpointMeta(checkpoint);
  const stored = configFromCheckpoint(meta, checkpoint);
  const asked = configFromFlags(o, given);
  const flagsOf = (k: keyof TrainConfig) => (FLAGS_OF_FIELD[k] ?? []).filter((f) => given.has(f));

  const conflicts: string[] = [];
  for (const k of FIXED_ON_RESUME) {
    const flags = flagsOf(k);
    if (!flags.length) continue;
    if (k === 'data') {
      const want = { ...stored.data };
      if (given.has('data')) want.path = asked.data.path;
      if (given.has('data-kind')) want.kind = asked.data.kind;
      if (given.has('center-crop')) want.centerCrop = asked.data.centerCrop;
      if (!sameSetting('data', want, stored.data)) conflicts.push(`${flags.map((f) => `--${f}`).join(', ')} (the run's data: ${show(stored.data)})`);
    } else if (show(asked[k]) !== show(stored[k])) conflicts.push(`--${flags[0]} ${show(asked[k])} (the run has ${show(stored[k])})`);
  }
  if (conflicts.length) {
    throw new Error(`--resume ${o.resume}: ${conflicts.join('; ')}: these flags define the model or the data, and cannot change when a run continues. ` +
      'Leave them out to continue the run, or start a new run with another --out');
  }
  const overrides: Partial<TrainConfig> = {};
  for (const k of Object.keys(FLAGS_OF_FIELD) as (keyof TrainConfig)[]) {
    if (!FIXED_ON_RESUME.includes(k) && flagsOf(k).length) (overrides as Record<string, unknown>)[k] = asked[k];
  }
  const iterations = overrides.iterations ?? stored.iterations;
  if (iterations <= meta.iteration) {
    throw new Error(`--resume ${o.resume}: the run is at iteration ${meta.iteration}` +
      (given.has('iterations') ? `; --iterations ${iterations} is not beyond it` : `, its last (--iterations ${stored.iterations})`) +
      `; give --iterations above ${meta.iteration} to train further`);
  }
  validateConfig({ ...stored, ...overrides });

  const notes = [`resuming ${runDir} from iteration ${meta.iteration}`];
  const changes = Object.entries(overrides).filter(([k, v]) => show(v) !== show(stored[k as keyof TrainConfig]));
  if (changes.length) notes.push(`changed: ${changes.map(([k, v]) => `${k} ${show(stored[k as keyof TrainConfig])} → ${show(v)}`).join(', ')}`);
  const inPlace = !given.has('out') || resolve(o.out) === resolve(runDir);
  if (inPlace) {
    if (!existsSync(join(runDir, 'log.jsonl'))) {
      throw new Error(`--resume ${o.resume}: ${runDir} is not a run folder (it has no log.jsonl); add --out DIR to continue this checkpoint in a run folder of its own`);
    }
    // resuming an earlier checkpoint in place would overwrite the later state the run has reached
    const last = join(runDir, 'last.safetensors');
    if (basename(checkpoint) !== 'last.safetensors' && existsSync(last)) {
      const lastIter = (await readCheckpointMeta(last)).iteration;
      if (lastIter > meta.iteration) {
        throw new Error(`--resume ${o.resume}: this checkpoint is from iteration ${meta.iteration}, but the run in ${runDir} went on to iteration ${lastIter}; ` +
          'continuing here would overwrite that. Add --out NEW to continue from it in a copy');
      }
    }
    await checkRunFolderWritable(runDir, `--resume ${runDir}`);
    return { kind: 'resume', checkpoint, overrides: { ...overrides, out: runDir }, notes, undo: async () => {} };
  }
  const movedTo = await prepareNewRunFolder(o.out, o.force);
  if (movedTo) notes.push(`--force: moved the run that was in ${o.out} to ${movedTo}`);
  const before = new Set(await readdir(o.out).catch(() => null) ?? []);
  const existed = existsSync(o.out);
  const copy = await copyRun(runDir, checkpoint, o.out);
  await checkRunFolderWritable(o.out, `--out ${o.out}`);
  notes[0] += ` in a copy at ${o.out} (${runDir} stays as it is)`;
  return {
    kind: 'resume', checkpoint: copy, overrides: { ...overrides, out: o.out }, copiedFrom: resolve(runDir), notes,
    // a copy that never trained is ours to remove when the start fails
    undo: async () => {
      if (!existed) return rm(o.out, { recursive: true, force: true });
      for (const n of await readdir(o.out)) if (!before.has(n)) await rm(join(o.out, n), { recursive: true, force: true });
    },
  };
}
