/**
 * Checkpoints: one safetensors file with the weights and buffers of G and D, the optimiser states, and in
 * the metadata the iteration, the RNG state, the sampler state and the full run config (JSON). Written
 * atomically (temp file + rename): a crash or Ctrl-C mid-write leaves the previous checkpoint intact.
 */
import { readSafetensorsFile, writeSafetensorsFile } from '../io/safetensors.js';
import { applyState, collectState, type StateOwners } from './state.js';
import { encodeMeta, parseMeta, type CheckpointMeta } from './checkpoint-format.js';

export { CHECKPOINT_FORMAT, type CheckpointMeta } from './checkpoint-format.js';

export async function saveCheckpoint(path: string, owners: StateOwners, meta: CheckpointMeta): Promise<void> {
  const tensors = await collectState(owners);
  await writeSafetensorsFile(path, tensors, encodeMeta(meta));
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

/** Load a checkpoint into the owners (every name, shape and dtype checked) and return its metadata. */
export async function loadCheckpoint(path: string, owners: StateOwners, strict = true): Promise<CheckpointMeta> {
  const { tensors, metadata } = await readFile(path);
  const meta = parseMeta(metadata, path);
  applyState(owners, tensors, path, strict);
  return meta;
}
