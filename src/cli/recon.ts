/** `wngan recon`: the paper's reconstruction metric on the held-out images of a checkpoint's data split. */
import { initNode, shutdown } from '../engine-node.js';
import { openDataset } from '../data/open.js';
import { SkippingLoader } from '../train/bad-files.js';
import { runSplit } from '../train/trainer.js';
import { readCheckpointMeta } from '../train/checkpoint.js';
import { checkCheckpointFile, checkWritableFile, configFromCheckpoint } from '../train/run-folder.js';
import { reconstructionError } from '../metrics/reconstruction.js';
import { disposeGan } from '../train/gan.js';
import { writeImageGrid } from '../util/png-grid.js';
import { DATASET_KINDS, type DatasetKind } from '../data/open.js';
import { helpText, parseArgs } from './args.js';
import { loadGan } from './load-model.js';
import { progress } from './progress.js';

const SPEC = {
  checkpoint: { type: 'string', help: 'a wngan checkpoint (.safetensors)' },
  data: { type: 'string', default: '', help: "data path (default: the checkpoint's training data)" },
  'data-kind': { type: 'string', default: '', choices: DATASET_KINDS, help: 'fashion-mnist | cifar10 | folder | lsun (default: guessed)' },
  split: { type: 'string', default: 'final', choices: ['final', 'running'], help: "final (the held-out final test set) or running (its first images)" },
  steps: { type: 'number', default: 0, int: true, min: 0, max: 1_000_000, help: 'z-optimisation steps (default: the config: 50 running, 500 final)' },
  limit: { type: 'number', default: 0, int: true, min: 0, max: 100_000_000, help: 'use only the first N images of the split (0 = all)' },
  png: { type: 'string', default: '', help: 'write originals | reconstructions as a PNG grid here' },
  json: { type: 'boolean', default: false, help: 'print the result as JSON' },
} as const;

export async function runRecon(args: string[]): Promise<void> {
  const o = parseArgs('recon', args, SPEC);
  if (!o) return console.log(helpText('recon', 'Reconstruction error (z = 0, G frozen in eval mode, RMSprop lr 0.01 on z, MSE per pixel per channel on [0,1]).', SPEC));
  // bad paths fail before the GPU starts
  await checkCheckpointFile(o.checkpoint);
  // the run's data path is stored relative to its folder
  const runData = configFromCheckpoint(await readCheckpointMeta(o.checkpoint), o.checkpoint).data;
  if (o.png) await checkWritableFile(o.png, '--png');
  await initNode();
  const { gan, config, iteration } = await loadGan(o.checkpoint);
  try {
    const spec = o.data ? { kind: (o['data-kind'] || undefined) as DatasetKind | undefined, path: o.data } : runData;
    const ds = await openDataset({ ...spec, imageSize: config.imageSize });
    // the same seeded split as training, so the held-out images are ones the model never saw
    const split = runSplit(config, ds.length);
    let indices = o.split === 'final' ? split.finalTest : split.runningTest;
    // as in training: an unusable image is replaced by the next good one of the split, with a warning
    const loader = new SkippingLoader(ds, config.maxBadFiles ?? 1, (f) => console.error(`\nwarning: skipping ${f.path}: ${f.reason}`));
    if (o.limit > 0) indices = indices.subarray(0, o.limit);
    const steps = o.steps || (o.split === 'final' ? config.finalReconSteps : config.reconSteps);
    const bar = progress('recon', indices.length, 0, 'img');
    const S = config.imageSize;
    const r = await reconstructionError(gan.G, indices.length, (start, n) => loader.loadBatch(indices.subarray(start, start + n), indices), [3, S, S], {
      codeSize: config.codeSize, steps, keepImages: Boolean(o.png), onBatch: (done) => bar.update(done),
    });
    bar.stop();
    const result = { checkpoint: o.checkpoint, iteration, split: o.split, images: indices.length, steps, msePerPixel: r.mse, perImageSquaredDistance: r.perImageSquaredDistance };
    if (o.json) console.log(JSON.stringify(result));
    else console.log(`reconstruction error, ${o.split} test (${indices.length} images, ${steps} steps): MSE per pixel per channel ${r.mse.toFixed(6)}; per image ${r.perImageSquaredDistance.toFixed(3)}`);
    if (o.png) {
      // pairs side by side: original, reconstruction (up to 32 pairs)
      const pairs = Math.min(32, indices.length);
      const per = 3 * S * S;
      const originals = await loader.loadBatch(indices.subarray(0, pairs), indices);
      const grid = new Float32Array(2 * pairs * per);
      for (let i = 0; i < pairs; i++) {
        grid.set(originals.subarray(i * per, (i + 1) * per), 2 * i * per);
        grid.set(r.reconstructions!.subarray(i * per, (i + 1) * per), (2 * i + 1) * per);
      }
      await writeImageGrid(o.png, grid, 2 * pairs, S, 8);
      console.log(`wrote ${o.png} (pairs of original | reconstruction)`);
    }
    await ds.close?.();
  } finally {
    disposeGan(gan);
    shutdown();
  }
}
