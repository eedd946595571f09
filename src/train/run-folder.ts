/**
 * Run folders: what counts as a run, the rules for starting one (never over another run), resuming one
 * (in place, or in a full copy so the original stays as it is), early checks that everything training
 * writes is writable, and the stored form of a config, whose paths are relative to the run folder.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { DEFAULTS, type TrainConfig } from './config.js';
import type { CheckpointMeta } from './checkpoint.js';

/** The files and folders a run writes. */
export const RUN_FILES = ['config.json', 'log.jsonl', 'last.safetensors', 'best.safetensors'] as const;
export const RUN_DIRS = ['samples'] as const;
/** marks a checkpoint whose stored paths are relative to its run folder */
export const RUN_RELATIVE = 'run-relative';

const TEMP = /\.tmp$/;

async function kind(path: string): Promise<'file' | 'dir' | null> {
  const s = await stat(path).catch(() => null);
  return s ? (s.isDirectory() ? 'dir' : 'file') : null;
}

/**
 * Whether `dir` holds a run: a checkpoint, a sample grid or a non-empty log. (A folder a run was started in
 * and stopped before its first iteration holds only config.json and an empty log: nothing to lose.)
 */
export async function holdsRun(dir: string): Promise<boolean> {
  if ((await kind(dir)) !== 'dir') return false;
  if (existsSync(join(dir, 'last.safetensors')) || existsSync(join(dir, 'best.safetensors'))) return true;
  const samples = await readdir(join(dir, 'samples')).catch(() => [] as string[]);
  if (samples.some((n) => !TEMP.test(n))) return true;
  const log = await stat(join(dir, 'log.jsonl')).catch(() => null);
  return log !== null && log.size > 0;
}

/** A file-system error in plain words, about `what` (e.g. "--out runs/x"). */
export function plainFsError(e: unknown, what: string): Error {
  const code = (e as NodeJS.ErrnoException).code;
  const why: Record<string, string> = {
    EACCES: 'permission denied', EPERM: 'permission denied', EROFS: 'the file system is read-only',
    ENOTDIR: 'part of the path is a file, not a folder', EISDIR: 'is a folder, not a file', ENOSPC: 'the disk is full',
    EEXIST: 'already exists and is not a folder', ENOENT: 'not found',
  };
  return new Error(`${what}: ${code && why[code] ? why[code] : (e as Error).message}`, { cause: e });
}

/**
 * Create `dir` (and samples/) if needed and check that training can write there: the folder takes new files,
 * and the files it replaces are files, not folders. `what` names the path in errors (e.g. "--out runs/x").
 */
export async function checkRunFolderWritable(dir: string, what = dir): Promise<void> {
  const k = await kind(dir);
  if (k === 'file') throw new Error(`${what} is a file, not a folder`);
  for (const d of ['', ...RUN_DIRS]) {
    const path = join(dir, d);
    if ((await kind(path)) === 'file') throw new Error(`${what}: ${path} is a file; training writes a folder there`);
    await mkdir(path, { recursive: true }).catch((e) => {
      throw plainFsError(e, `${what}: cannot create ${path}`);
    });
    const probe = join(path, `.wngan-probe.${process.pid}.tmp`);
    await writeFile(probe, '').catch((e) => {
      throw plainFsError(e, `${what}: cannot write in ${path}`);
    });
    await rm(probe, { force: true });
  }
  for (const f of RUN_FILES) {
    if ((await kind(join(dir, f))) === 'dir') throw new Error(`${what}: ${join(dir, f)} is a folder; training writes a file there`);
  }
}

/** Move a folder aside to `<dir>.old-N`, the first N free. Returns the new path. */
export async function moveAside(dir: string): Promise<string> {
  for (let n = 1; ; n++) {
    const to = `${dir.replace(/[\\/]+$/, '')}.old-${n}`;
    if (existsSync(to)) continue;
    await rename(dir, to).catch((e) => {
      throw plainFsError(e, `cannot move ${dir} aside to ${to}`);
    });
    return to;
  }
}

/**
 * The rules for `--out` of a new run: a folder that holds a run is refused, or with `force` moved aside
 * (never deleted). Returns where the old run went, or null.
 */
export async function prepareNewRunFolder(out: string, force: boolean): Promise<string | null> {
  if (!(await holdsRun(out))) return null;
  if (!force) {
    throw new Error(`--out ${out} already holds a run. To continue it: wngan train --resume ${out} (add --out NEW to continue in a copy); ` +
      `to start afresh there: add --force (the old run is moved to ${out.replace(/[\\/]+$/, '')}.old-N, not deleted)`);
  }
  return moveAside(out);
}

/** What a `--resume` argument names: a run folder (its last.safetensors) or a checkpoint file. */
export async function resolveResume(arg: string): Promise<{ checkpoint: string; runDir: string }> {
  const k = await kind(arg);
  if (k === null) throw new Error(`--resume ${arg}: not found`);
  if (k === 'dir') {
    const ckpt = join(arg, 'last.safetensors');
    const ck = await kind(ckpt);
    if (ck === null) {
      throw new Error(`--resume ${arg}: this folder has no last.safetensors, so there is nothing to resume` +
        ((await holdsRun(arg)) ? ' (the run stopped before its first checkpoint; start it again with --out ' + arg + ' --force)' : ''));
    }
    if (ck === 'dir') throw new Error(`--resume ${arg}: ${ckpt} is a folder, not a checkpoint file`);
    return { checkpoint: ckpt, runDir: arg };
  }
  return { checkpoint: arg, runDir: dirname(arg) };
}

/**
 * Copy a run into `dst` (which must not hold a run) so that it can continue there independently: every file
 * but interrupted writes' temp files when `src` holds a run, else only the checkpoint. Returns the copy's
 * checkpoint path.
 */
export async function copyRun(src: string, checkpoint: string, dst: string): Promise<string> {
  const a = resolve(src);
  const b = resolve(dst);
  if (b === a || b.startsWith(a + sep)) throw new Error(`--out ${dst} is inside the run being resumed (${src}); choose a folder outside it`);
  await mkdir(dst, { recursive: true }).catch((e) => {
    throw plainFsError(e, `--out ${dst}`);
  });
  if (await holdsRun(src)) {
    const entries = await readdir(src);
    for (const name of entries) {
      if (TEMP.test(name)) continue;
      await cp(join(src, name), join(dst, name), { recursive: true, preserveTimestamps: true, filter: (s) => !TEMP.test(basename(s)) });
    }
  }
  const copy = join(dst, basename(checkpoint));
  if (!existsSync(copy)) await cp(checkpoint, copy, { preserveTimestamps: true });
  return copy;
}

/** The config as a run stores it (config.json, checkpoints): `out` is '.', the data path relative to the run. */
export function storedConfig(c: TrainConfig): TrainConfig {
  const out = resolve(c.out);
  const data = c.data.path === undefined ? c.data : { ...c.data, path: relative(out, resolve(c.data.path)) || '.' };
  return { ...c, out: '.', data };
}

/**
 * A checkpoint's config, ready to use: the run continues in the checkpoint's folder, and a relative data
 * path is resolved against that folder, or against the folder the run was in when the checkpoint was
 * written (a checkpoint copied elsewhere). Older checkpoints stored paths relative to the working directory.
 */
export function configFromCheckpoint(meta: CheckpointMeta, checkpoint: string): TrainConfig {
  const stored = { ...DEFAULTS, ...(meta.config as Partial<TrainConfig>) };
  const here = dirname(resolve(checkpoint));
  const p = stored.data.path;
  if (meta.paths !== RUN_RELATIVE || p === undefined || isAbsolute(p)) return { ...stored, out: here };
  const origin = typeof meta.runFolder === 'string' ? meta.runFolder : here;
  const candidates = [resolve(here, p), resolve(origin, p)];
  const path = candidates.find((c) => existsSync(c)) ?? candidates[0];
  return { ...stored, out: here, data: { ...stored.data, path } };
}

/** Check, before any work, that `path` can be written as a file: not a folder, in an existing writable folder. */
export async function checkWritableFile(path: string, what: string): Promise<void> {
  if ((await kind(path)) === 'dir') throw new Error(`${what} ${path} is a folder; give a file name`);
  const dir = dirname(path);
  const k = await kind(dir);
  if (k !== 'dir') throw new Error(`${what} ${path}: ${k === 'file' ? `${dir} is a file, not a folder` : `the folder ${dir} does not exist`}`);
  const probe = join(dir, `.wngan-probe.${process.pid}.tmp`);
  await writeFile(probe, '').catch((e) => {
    throw plainFsError(e, `${what} ${path}: cannot write in ${dir}`);
  });
  await rm(probe, { force: true });
}

/** A checkpoint file argument: refuses a folder with a hint at the files a run folder holds. */
export async function checkCheckpointFile(path: string, what = '--checkpoint'): Promise<void> {
  const k = await kind(path);
  if (k === null) throw new Error(`${what} ${path}: not found`);
  if (k === 'dir') throw new Error(`${what} ${path} is a folder; give a checkpoint file, e.g. ${join(path, 'best.safetensors')} or ${join(path, 'last.safetensors')}`);
}
