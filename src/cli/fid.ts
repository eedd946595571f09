/** `wngan fid`: Fréchet distance and KID of a GAN checkpoint's samples, on the features of a wngan classifier. */
import { initNode, shutdown } from '../engine-node.js';
import { DATASET_KINDS, openDataset, type DatasetKind } from '../data/open.js';
import { SkippingLoader } from '../train/bad-files.js';
import { runSplit } from '../train/trainer.js';
import { readCheckpointMeta } from '../train/checkpoint.js';
import { checkCheckpointFile, configFromCheckpoint } from '../train/run-folder.js';
import { disposeGan } from '../train/gan.js';
import { loadClassifier, readClassifierMeta } from '../metrics/classifier-train.js';
import { extractFeatures, sampleQuality } from '../metrics/features.js';
import { helpText, parseArgs } from './args.js';
import { loadGan } from './load-model.js';
import { progress } from './progress.js';

const SPEC = {
  checkpoint: { type: 'string', help: 'a wngan GAN checkpoint (.safetensors)' },
  classifier: { type: 'string', help: "a classifier from 'wngan classifier train' (.safetensors)" },
  n: { type: 'number', default: 2000, int: true, min: 2, max: 10_000_000, help: 'generated samples' },
  seed: { type: 'number', default: 1, int: true, min: 0, max: 2 ** 53 - 1, help: 'seed of z' },
  'kid-subsets': { type: 'number', default: 100, int: true, min: 1, max: 100_000, help: 'KID: random subsets (of min(1000, real, n) samples each)' },
  data: { type: 'string', default: '', help: "data path (default: the checkpoint's training data)" },
  'data-kind': { type: 'string', default: '', choices: DATASET_KINDS, help: 'fashion-mnist | cifar10 | folder | lsun (default: guessed)' },
  json: { type: 'boolean', default: false, help: 'print the result as JSON' },
} as const;

const SUMMARY = `Sample quality of a GAN checkpoint: the Fréchet distance (the FID formula) and KID between the classifier's
features of n generated images and of the checkpoint's final test set (held-out real images).`;

export async function runFid(args: string[]): Promise<void> {
  const o = parseArgs('fid', args, SPEC);
  if (!o) return console.log(helpText('fid', SUMMARY, SPEC));
  // bad files and mismatches fail before the GPU starts
  await checkCheckpointFile(o.checkpoint);
  await checkCheckpointFile(o.classifier, '--classifier');
  const ganMeta = await readCheckpointMeta(o.checkpoint);
  const runConfig = configFromCheckpoint(ganMeta, o.checkpoint);
  const cMeta = await readClassifierMeta(o.classifier);
  if (cMeta.imageSize !== runConfig.imageSize) {
    throw new Error(`fid: the classifier ${o.classifier} takes ${cMeta.imageSize}px images but the GAN ${o.checkpoint} makes ${runConfig.imageSize}px; train one with --image-size ${runConfig.imageSize}`);
  }
  await initNode();
  const { gan, config, iteration } = await loadGan(o.checkpoint);
  const { classifier, meta } = await loadClassifier(o.classifier);
  try {
    const spec = o.data ? { kind: (o['data-kind'] || undefined) as DatasetKind | undefined, path: o.data } : runConfig.data;
    const ds = await openDataset({ ...spec, imageSize: config.imageSize });
    try {
      const split = runSplit(config, ds.length);
      const splitSeed = config.splitSeed ?? config.seed;
      if (meta.splitSeed !== splitSeed || meta.finalTestSize !== split.finalTest.length) {
        console.error(`warning: the classifier was trained on another split (seed ${meta.splitSeed}, ${meta.finalTestSize} held out; the GAN: seed ${splitSeed}, ` +
          `${split.finalTest.length}), so it may have trained on some of these real test images`);
      }
      const real = split.finalTest;
      const loader = new SkippingLoader(ds, config.maxBadFiles ?? 1, (f) => console.error(`\nwarning: skipping ${f.path}: ${f.reason}`));
      let bar = progress('real features', real.length, 0, 'img');
      const realFeatures = await extractFeatures(classifier, real.length, (s, n) => loader.loadBatch(real.subarray(s, s + n), real), config.imageSize, {
        onBatch: (done) => bar.update(done),
      });
      bar.stop();
      bar = progress('generated features', o.n, 0, 'img');
      const q = await sampleQuality(gan.G, config.codeSize, classifier, realFeatures, o.n, o.seed, config.imageSize, {
        onBatch: (done) => bar.update(done), kid: { subsets: o['kid-subsets'] },
      });
      bar.stop();
      const subsetSize = Math.min(1000, real.length, o.n);
      const result = {
        checkpoint: o.checkpoint, iteration, classifier: o.classifier, classifierAccuracy: meta.testAccuracy, real: real.length,
        n: q.n, seed: o.seed, fd: q.fd, kid: q.kid, kidStd: q.kidStd, kidStderr: q.kidStderr, kidSubsets: o['kid-subsets'], kidSubsetSize: subsetSize,
      };
      if (o.json) console.log(JSON.stringify(result));
      else {
        console.log(`FD ${q.fd.toFixed(4)}   KID ${q.kid.toExponential(4)} ± ${q.kidStderr.toExponential(2)} (standard error; std ${q.kidStd.toExponential(2)} over ${o['kid-subsets']} subsets of ${subsetSize})`);
        console.log(`${q.n} samples (seed ${o.seed}) of ${o.checkpoint} (iteration ${iteration}) vs ${real.length} held-out images; ` +
          `classifier ${o.classifier}: ${meta.featureDim} features, test accuracy ${(100 * meta.testAccuracy).toFixed(2)}%`);
      }
    } finally {
      await ds.close?.();
    }
  } finally {
    classifier.dispose();
    disposeGan(gan);
    shutdown();
  }
}
