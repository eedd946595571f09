/**
 * Checkpoints: one safetensors file with the weights and buffers of G and D, the optimiser states, and in
 * the metadata the iteration, the RNG state, the sampler state and the full run config (JSON). Written
 * atomically (temp file + rename): a crash or Ctrl-C mid-write leaves the previous checkpoint intact.
 */
import { readSafetensorsFile, writeSafetensorsFile } from '../io/safetensors.js';
import { applyState, collectState, type StateOwners } from './state.js';

export const CHECKPOINT_FORMAT = 'wngan-checkpoint-1';

export interface CheckpointMeta {
  iteration: number;
  /** anything JSON-serialisable the trainer needs to resume exactly (RNG and sampler state, config, ...) */
  [key: string]: unknown;
}

export async function saveCheckpoint(path: string, owners: StateOwners, meta: CheckpointMeta): Promise<void> {
  const tensors = await collectState(owners);
  const metadata: Record<string, string> = { format: CHECKPOINT_FORMAT };
  for (const [k, v] of Object.entries(meta)) metadata[k] = JSON.stringify(v);
  await writeSafetensorsFile(path, tensors, metadata);
}

async function readFile(path: string) {
  try {
    return await readSafetensorsFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`checkpoint not found: ${path}`);
    throw e;
  }
}

/** Read a checkpoint's metadata without touching any model (e.g. to rebuild the model from its config). */
export async function readCheckpointMeta(path: string): Promise<CheckpointMeta> {
  const { metadata } = await readFile(path);
  return parseMeta(metadata, path);
}

function parseMeta(metadata: Record<string, string> | undefined, path: string): CheckpointMeta {
  if (!metadata || metadata.format !== CHECKPOINT_FORMAT) {
    throw new Error(`${path}: not a wngan checkpoint (metadata format is ${JSON.stringify(metadata?.format)}, expected '${CHECKPOINT_FORMAT}')`);
  }
  const meta: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(metadata)) {
    if (k === 'format') continue;
    try {
      meta[k] = JSON.parse(v);
    } catch {
      throw new Error(`${path}: metadata entry '${k}' is not valid JSON`);
    }
  }
  if (typeof meta.iteration !== 'number') throw new Error(`${path}: metadata has no iteration number`);
  return meta as CheckpointMeta;
}

/** Load a checkpoint into the owners (every name, shape and dtype checked) and return its metadata. */
export async function loadCheckpoint(path: string, owners: StateOwners, strict = true): Promise<CheckpointMeta> {
  const { tensors, metadata } = await readFile(path);
  const meta = parseMeta(metadata, path);
  applyState(owners, tensors, path, strict);
  return meta;
}
