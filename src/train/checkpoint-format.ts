/**
 * The checkpoint format without files: safetensors metadata = { format, and every meta entry as JSON }.
 * Pure (no Node APIs): checkpoint.ts reads and writes files with it, the package API reads and writes bytes.
 */
export const CHECKPOINT_FORMAT = 'wngan-checkpoint-1';

export interface CheckpointMeta {
  iteration: number;
  /** anything JSON-serialisable the trainer needs to resume exactly (RNG and sampler state, config, ...) */
  [key: string]: unknown;
}

export function encodeMeta(meta: CheckpointMeta): Record<string, string> {
  const metadata: Record<string, string> = { format: CHECKPOINT_FORMAT };
  for (const [k, v] of Object.entries(meta)) metadata[k] = JSON.stringify(v);
  return metadata;
}

/** The metadata of a wngan checkpoint, or an error naming `source` and what is wrong. */
export function parseMeta(metadata: Record<string, string> | undefined, source: string): CheckpointMeta {
  if (!metadata || metadata.format !== CHECKPOINT_FORMAT) {
    throw new Error(`${source}: not a wngan checkpoint (metadata format is ${JSON.stringify(metadata?.format)}, expected '${CHECKPOINT_FORMAT}')`);
  }
  const meta: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(metadata)) {
    if (k === 'format') continue;
    try {
      meta[k] = JSON.parse(v);
    } catch {
      throw new Error(`${source}: metadata entry '${k}' is not valid JSON`);
    }
  }
  if (typeof meta.iteration !== 'number') throw new Error(`${source}: metadata has no iteration number`);
  return meta as CheckpointMeta;
}
