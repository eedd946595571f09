/** JSON and JSONL files of an experiment, written atomically so that a crash never leaves half a file. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../io/atomic-write.js';

export async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, new TextEncoder().encode(JSON.stringify(value, null, 2) + '\n'));
}

export async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

/** A JSONL log's entries. A kill during an append can leave a torn last line: it is left out. */
export async function readLog(path: string): Promise<Record<string, unknown>[]> {
  if (!existsSync(path)) return [];
  const lines = (await readFile(path, 'utf8')).split('\n').filter((l) => l.trim());
  return lines.flatMap((l, k) => {
    try {
      return [JSON.parse(l) as Record<string, unknown>];
    } catch (e) {
      if (k === lines.length - 1) return [];
      throw new Error(`${path}: line ${k + 1} is not JSON (${(e as Error).message})`);
    }
  });
}

