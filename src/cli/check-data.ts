/** `wngan check-data`: read and decode every image of a data set once (no GPU) and list the ones that fail. */
import { openDataset, DATASET_KINDS, type DatasetKind } from '../data/open.js';
import { DataError } from '../data/errors.js';
import { DEFAULTS } from '../train/config.js';
import { helpText, parseArgs } from './args.js';
import { progress } from './progress.js';

const SPEC = {
  data: { type: 'string', default: '', help: 'data path (default: the built-in Fashion-MNIST)' },
  'data-kind': { type: 'string', default: '', choices: DATASET_KINDS, help: 'fashion-mnist | cifar10 | folder | lsun (default: guessed from the path)' },
  'image-size': { type: 'number', default: DEFAULTS.imageSize, int: true, min: 8, max: 1024, help: 'image side the images are preprocessed to (as in training)' },
  'center-crop': { type: 'number', default: 0, int: true, min: 0, max: 65536, help: 'centre crop before resizing, as in training; 0 = none' },
  'max-bad-files': { type: 'number', default: DEFAULTS.maxBadFiles, min: 0, max: 100, help: "training's limit (percent of the files), to say whether training would run" },
  jobs: { type: 'number', default: 8, int: true, min: 1, max: 256, help: 'images read and decoded at once' },
  json: { type: 'boolean', default: false, help: 'print the result as JSON' },
} as const;

export async function runCheckData(args: string[]): Promise<void> {
  const o = parseArgs('check-data', args, SPEC);
  if (!o) return console.log(helpText('check-data', 'Decode every image once, as training would, and list the files that cannot be read or decoded. Exit status 1 if any.', SPEC));
  const spec = o.data || o['data-kind']
    ? { kind: (o['data-kind'] || undefined) as DatasetKind | undefined, path: o.data || undefined }
    : { kind: 'fashion-mnist' as const };
  const ds = await openDataset({ ...spec, imageSize: o['image-size'], centerCrop: o['center-crop'] || undefined });
  const bad: { index: number; path: string; reason: string }[] = [];
  try {
    const bar = progress('check', ds.length, 0, 'img');
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < ds.length) {
        const index = next++;
        try {
          await ds.get(index);
        } catch (e) {
          if (!(e instanceof DataError)) throw e;
          const reason = e.message.startsWith(`${e.path}: `) ? e.message.slice(e.path.length + 2) : e.message;
          bar.log(`bad: ${e.path}: ${reason}`);
          bad.push({ index, path: e.path, reason });
        }
        bar.update(++done);
      }
    };
    await Promise.all(Array.from({ length: o.jobs }, worker));
    bar.stop();
  } finally {
    await ds.close?.();
  }
  bad.sort((a, b) => a.index - b.index);
  const share = (100 * bad.length) / ds.length;
  const ok = share <= o['max-bad-files'];
  if (o.json) console.log(JSON.stringify({ data: ds.description, images: ds.length, bad }));
  else {
    console.log(`${ds.description}: ${ds.length} images, ${bad.length} cannot be read or decoded (${share.toFixed(2)}%)`);
    for (const b of bad) console.log(`  ${b.path}: ${b.reason}`);
    if (bad.length) {
      console.log(ok ? `training skips them with a warning (within --max-bad-files ${o['max-bad-files']}%)` :
        `training would stop: more than --max-bad-files ${o['max-bad-files']}% of the files are bad; remove or fix them`);
    }
  }
  if (bad.length) process.exitCode = 1;
}
