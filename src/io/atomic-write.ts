// Crash-safe file replacement: write a sibling temp file, fsync it, rename it over the
// target, fsync the directory. rename() within one directory is atomic on POSIX (and
// replaces atomically on NTFS), so a crash or Ctrl-C at any point leaves the target holding
// either its old or its new content, never a torn mix. A crash can at worst leave a stray
// `.<name>.<pid>.<random>.tmp` file next to the target; removeStaleTempFiles() clears those.
import { randomBytes } from 'node:crypto';
import { open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/** Bytes, or chunks of bytes (a generator lets big files be written without one big copy). */
export type AtomicWriteData = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

export async function writeFileAtomic(path: string, data: AtomicWriteData): Promise<void> {
  const target = resolve(path);
  const dir = dirname(target);
  // Same directory as the target: rename() across file systems is not atomic (or fails).
  const tmp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  // 'wx': never clobber something that happens to have the temp name.
  const handle = await open(tmp, 'wx');
  let renamed = false;
  const killAt = faultPoint(target);
  try {
    const chunks = data instanceof Uint8Array ? [data] : data;
    let written = 0;
    for await (const chunk of chunks) {
      // write() may write fewer bytes than asked; loop until the chunk is out.
      for (let done = 0; done < chunk.byteLength; ) {
        const { bytesWritten } = await handle.write(chunk, done, chunk.byteLength - done);
        done += bytesWritten;
      }
      written += chunk.byteLength;
      if (killAt !== null && written >= killAt) process.kill(process.pid, 'SIGKILL');
    }
    // Data must be on disk before the rename makes it visible, or a power loss could
    // leave the new name pointing at an empty/partial file.
    await handle.sync();
    await handle.close();
    await rename(tmp, target);
    renamed = true;
  } finally {
    if (!renamed) {
      await handle.close().catch(() => {}); // already closed is fine
      await rm(tmp, { force: true }).catch(() => {});
    }
  }
  await syncDir(dir);
}

/** Persist the rename itself. Best effort: not possible on every platform (e.g. Windows). */
async function syncDir(dir: string): Promise<void> {
  try {
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // The file content is safe; only the directory entry's durability is not guaranteed.
  }
}

const TEMP_NAME = /^\.(.+)\.(\d+)\.[0-9a-f]{12}\.tmp$/;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove the temp files that writes interrupted by a crash or kill left in `dir` (those of live processes,
 * this one included, may still be in use and are kept). Returns the names removed.
 */
export async function removeStaleTempFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (!m || alive(Number(m[2]))) continue;
    await rm(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

/**
 * Fault injection for tests: WNGAN_FAULT_KILL_IN_WRITE=<file name>:<n> kills this process (SIGKILL) in the
 * middle of its n-th atomic write of a file of that name, after some bytes reached the temp file.
 */
let faultCount = 0;
function faultPoint(target: string): number | null {
  const spec = process.env.WNGAN_FAULT_KILL_IN_WRITE;
  if (!spec) return null;
  const [name, n] = spec.split(':');
  if (basename(target) !== name || ++faultCount !== Number(n)) return null;
  return 1;
}
