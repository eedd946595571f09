/** `wngan sample`: a grid of images from G (eval mode) for random z. */
import { initNode, shutdown } from '../engine-node.js';
import { Rng } from '../util/rng.js';
import { disposeGan, generateImages } from '../train/gan.js';
import { writeImageGrid } from '../util/png-grid.js';
import { helpText, parseArgs } from './args.js';
import { loadGan } from './load-model.js';
import { checkCheckpointFile, checkWritableFile } from '../train/run-folder.js';

const SPEC = {
  checkpoint: { type: 'string', help: 'a wngan checkpoint (.safetensors)' },
  out: { type: 'string', default: 'samples.png', help: 'PNG file to write' },
  count: { type: 'number', default: 64, int: true, min: 1, max: 100_000, help: 'number of images' },
  seed: { type: 'number', default: 1, int: true, min: 0, max: 2 ** 53 - 1, help: 'seed of z' },
} as const;

export async function runSample(args: string[]): Promise<void> {
  const o = parseArgs('sample', args, SPEC);
  if (!o) return console.log(helpText('sample', 'Write a grid of generated images (G in eval mode).', SPEC));
  // bad paths fail before the GPU starts
  await checkCheckpointFile(o.checkpoint);
  await checkWritableFile(o.out, '--out');
  await initNode();
  const { gan, config, iteration } = await loadGan(o.checkpoint);
  try {
    const z = new Float32Array(o.count * config.codeSize);
    new Rng(o.seed).fillNormal(z);
    const host = await generateImages(gan.G, z, o.count, config.codeSize);
    await writeImageGrid(o.out, host, o.count, config.imageSize);
    console.log(`wrote ${o.out}: ${o.count} samples of ${o.checkpoint} (iteration ${iteration})`);
  } finally {
    disposeGan(gan);
    shutdown();
  }
}
