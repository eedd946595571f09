/** Shared by recon and sample: rebuild the GAN of a checkpoint from its stored config and load its weights. */
import { loadCheckpoint, readCheckpointMeta } from '../train/checkpoint.js';
import { buildGan, type Gan } from '../train/gan.js';
import { validateConfig, type TrainConfig } from '../train/config.js';

export async function loadGan(path: string): Promise<{ gan: Gan; config: TrainConfig; iteration: number }> {
  const meta = await readCheckpointMeta(path);
  const config = validateConfig(meta.config as TrainConfig);
  const gan = buildGan(config);
  // weights and buffers only: the optimiser state is not needed to evaluate
  await loadCheckpoint(path, { modules: { G: gan.G, D: gan.D } }, false);
  return { gan, config, iteration: meta.iteration };
}
