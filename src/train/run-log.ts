/**
 * log.jsonl upkeep. A run appends one JSON object per line; when it goes back to an earlier state (a resume
 * from its checkpoint, a divergence restart) the lines of the iterations it will redo are dropped first, so
 * the log holds each iteration once. A line torn by a kill mid-append is dropped too.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../io/atomic-write.js';

export type LogEntry = Record<string, unknown> & { type?: string; iter?: number };

/**
 * Keep the entries of iterations up to `upTo` (and entries without an iteration, and those `keep` accepts);
 * rewrite the file atomically if anything was dropped. Returns the number of entries dropped.
 */
export async function truncateLog(path: string, upTo: number, keep: (e: LogEntry) => boolean = () => false): Promise<number> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
  const kept: string[] = [];
  let dropped = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let e: LogEntry;
    try {
      e = JSON.parse(line) as LogEntry;
    } catch {
      dropped++; // torn by a kill mid-append
      continue;
    }
    if (typeof e.iter === 'number' && e.iter > upTo && !keep(e)) dropped++;
    else kept.push(line);
  }
  const out = kept.length ? kept.join('\n') + '\n' : '';
  if (dropped || out !== text) await writeFileAtomic(path, new TextEncoder().encode(out));
  return dropped;
}
