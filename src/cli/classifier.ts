/** `wngan classifier train`: the feature classifier of the sample-quality metrics (`wngan fid`). */
import { initNode, shutdown } from '../engine-node.js';
import { DATASET_KINDS, type DatasetKind, type DatasetSpec } from '../data/open.js';
import { CLASSIFIER_DEFAULTS, trainClassifier } from '../metrics/classifier-train.js';
import { checkWritableFile } from '../train/run-folder.js';
import { helpText, parseArgs } from './args.js';
import { formatSeconds, progress } from './progress.js';

const D = CLASSIFIER_DEFAULTS;
const SPEC = {
  data: { type: 'string', default: '', help: 'a labelled data set: Fashion-MNIST IDX folder or CIFAR-10 (default: the built-in Fashion-MNIST)' },
  'data-kind': { type: 'string', default: '', choices: DATASET_KINDS, help: 'fashion-mnist | cifar10 (default: guessed from the path)' },
  'image-size': { type: 'number', default: 32, int: true, min: 8, max: 1024, help: "image side in pixels (a multiple of 8; the GAN's)" },
  iterations: { type: 'number', default: D.iterations, int: true, min: 1, max: 100_000_000, help: 'training iterations' },
  batch: { type: 'number', default: D.batchSize, int: true, min: 1, max: 65536, help: 'batch size' },
  lr: { type: 'number', default: D.lr, above: 0, max: 10, help: "Adam's peak learning rate (cosine decay to 0)" },
  seed: { type: 'number', default: D.seed, int: true, min: 0, max: 2 ** 53 - 1, help: 'seed of the initialisation and batch order' },
  'split-seed': { type: 'number', default: D.splitSeed, int: true, min: 0, max: 2 ** 53 - 1, help: "seed of the paper's data split (the GANs' --seed)" },
  'final-test': { type: 'number', default: D.finalTestSize, int: true, min: 1, max: 10_000_000, help: 'final test set size: held out, the accuracy is measured on it' },
  out: { type: 'string', help: 'the classifier file to write (.safetensors)' },
  json: { type: 'boolean', default: false, help: 'print the result as JSON' },
} as const;

const SUMMARY = `Train the small CNN whose features FD and KID use (wngan fid), with Adam on the training part of the paper's
split of a labelled data set; report its accuracy on the final test set (the images the GANs never train on).`;

export async function runClassifier(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h') return console.log(`usage: wngan classifier train [options]\n\n${SUMMARY}\n\nwngan classifier train --help for its options`);
  if (sub !== 'train') throw new Error(`classifier: unknown subcommand '${sub}' (the only one is 'train')`);
  const o = parseArgs('classifier train', rest, SPEC);
  if (!o) return console.log(helpText('classifier train', SUMMARY, SPEC));
  if (o['image-size'] % 8 !== 0) throw new Error(`classifier train: --image-size must be a multiple of 8, got ${o['image-size']}`);
  // bad paths fail before the GPU starts
  await checkWritableFile(o.out, '--out');
  const data: DatasetSpec = o.data ? { kind: (o['data-kind'] || undefined) as DatasetKind | undefined, path: o.data } : { kind: 'fashion-mnist' };
  const rt = await initNode();
  try {
    console.error(`adapter: ${rt.adapter.description}`);
    const t0 = performance.now();
    const r = await trainClassifier({
      data, imageSize: o['image-size'], out: o.out, iterations: o.iterations, batchSize: o.batch, lr: o.lr, seed: o.seed,
      splitSeed: o['split-seed'], finalTestSize: o['final-test'],
      progress: (label, total, start) => progress(label, total, start),
    });
    const secs = (performance.now() - t0) / 1000;
    if (o.json) console.log(JSON.stringify({ out: o.out, seconds: secs, ...r.meta }));
    else {
      console.log(`test accuracy ${(100 * r.accuracy).toFixed(2)}% on the ${r.meta.finalTestSize} held-out images (split seed ${r.meta.splitSeed}); ` +
        `${r.meta.iterations} iterations in ${formatSeconds(secs)}`);
      console.log(`wrote ${o.out} (${r.meta.featureDim} features at ${r.meta.imageSize}px)`);
    }
  } finally {
    shutdown();
  }
}
