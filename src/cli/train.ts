/** `wngan train`: train a GAN of the paper (DCGAN R1 or WN ResNet R2), with checkpoints and exact resume. */
import { join } from 'node:path';
import { initNode, shutdown } from '../engine-node.js';
import { Trainer } from '../train/trainer.js';
import { DEFAULTS, type TrainConfig } from '../train/config.js';
import type { DatasetKind } from '../data/open.js';
import type { Norm } from '../models/dcgan.js';
import { helpText, parseArgs } from './args.js';
import { progress, formatSeconds } from './progress.js';

const D = DEFAULTS;
const SPEC = {
  model: { type: 'string', default: D.model, help: 'dcgan (R1) or resnet (R2, weight norm)' },
  norm: { type: 'string', default: D.norm, help: 'none | batch | weight | weight-affine' },
  data: { type: 'string', default: '', help: 'data path (default: the built-in Fashion-MNIST)' },
  'data-kind': { type: 'string', default: '', help: 'fashion-mnist | cifar10 | folder | lsun (default: guessed from the path)' },
  'center-crop': { type: 'number', default: 0, help: 'centre crop (source pixels) before resizing, e.g. 160 for CelebA; 0 = none' },
  'image-size': { type: 'number', default: D.imageSize, help: 'image side in pixels' },
  'code-size': { type: 'number', default: D.codeSize, help: 'size of z' },
  width: { type: 'number', default: D.baseWidth, help: "D's first-level width (doubles per level)" },
  blocks: { type: 'number', default: D.blocksPerLevel, help: 'ResNet blocks per level (2 with 5 levels = the 21-layer net)' },
  batch: { type: 'number', default: D.batchSize, help: 'batch size' },
  iterations: { type: 'number', default: D.iterations, help: 'total iterations (one D step and one G step each)' },
  optimizer: { type: 'string', default: D.optimizer, help: 'rmsprop (the paper) or adam' },
  lr: { type: 'number', default: D.lrD, help: 'learning rate of D and G (the paper: 1e-4; 2e-5..5e-5 recommended for WN)' },
  'lr-d': { type: 'number', default: 0, help: "D's learning rate (overrides --lr)" },
  'lr-g': { type: 'number', default: 0, help: "G's learning rate (overrides --lr)" },
  seed: { type: 'number', default: D.seed, help: 'seed of the data split, init, z and batches' },
  out: { type: 'string', default: D.out, help: 'output folder' },
  'checkpoint-every': { type: 'number', default: D.checkpointEvery, help: 'write last.safetensors every N iterations' },
  'sample-every': { type: 'number', default: D.sampleEvery, help: 'write a sample grid (fixed z) every N iterations' },
  'recon-every': { type: 'number', default: D.reconEvery, help: 'running reconstruction test every N iterations (best.safetensors kept)' },
  'recon-steps': { type: 'number', default: D.reconSteps, help: 'z-optimisation steps of the running test' },
  'running-test': { type: 'number', default: D.runningTestSize, help: 'running test set size' },
  'final-test': { type: 'number', default: D.finalTestSize, help: 'final test set size (held out from training)' },
  'divergence-guard': { type: 'boolean', default: true, help: 'restart from the last good state with lr ×0.1 on NaN/exploding losses (--divergence-guard=false to stop instead)' },
  resume: { type: 'string', default: '', help: 'continue from this checkpoint (its config is used; --iterations may extend it)' },
} as const;

export async function runTrain(args: string[]): Promise<void> {
  const o = parseArgs('train', args, SPEC);
  if (!o) return console.log(helpText('train', 'Train a GAN of the paper; writes config.json, log.jsonl, samples/, last.safetensors and best.safetensors to --out.', SPEC));
  const rt = await initNode();
  let stopRequested = false;
  const onSigint = () => {
    if (stopRequested) process.exit(130);
    stopRequested = true;
    process.stderr.write('\nstopping after this iteration (checkpoint first); Ctrl-C again to abort\n');
  };
  process.on('SIGINT', onSigint);
  let trainer: Trainer | null = null;
  try {
    if (o.resume) {
      const given = new Set(args.map((a) => a.replace(/^--/, '').split('=')[0]));
      trainer = await Trainer.resume(o.resume, given.has('iterations') ? { iterations: o.iterations } : {});
    } else {
      const config: TrainConfig = {
        ...DEFAULTS,
        model: o.model as TrainConfig['model'],
        norm: o.norm as Norm,
        imageSize: o['image-size'],
        codeSize: o['code-size'],
        baseWidth: o.width,
        blocksPerLevel: o.blocks,
        batchSize: o.batch,
        iterations: o.iterations,
        optimizer: o.optimizer as TrainConfig['optimizer'],
        lrD: o['lr-d'] || o.lr,
        lrG: o['lr-g'] || o.lr,
        seed: o.seed,
        data: { kind: (o['data-kind'] || undefined) as DatasetKind | undefined, path: o.data || undefined, centerCrop: o['center-crop'] || undefined },
        out: o.out,
        checkpointEvery: o['checkpoint-every'],
        sampleEvery: o['sample-every'],
        reconEvery: o['recon-every'],
        reconSteps: o['recon-steps'],
        runningTestSize: o['running-test'],
        finalTestSize: o['final-test'],
        divergenceGuard: o['divergence-guard'],
      };
      if (!o.data && !o['data-kind']) config.data = { kind: 'fashion-mnist' };
      trainer = await Trainer.create(config);
    }
    const c = trainer.config;
    console.error(`adapter: ${rt.adapter.description}`);
    console.error(`data: ${trainer.data.description}; ${trainer.split.train.length} training images, running test ${trainer.split.runningTest.length}, final test ${trainer.split.finalTest.length}`);
    console.error(`model: ${c.model} norm=${c.norm} ${c.imageSize}px width ${c.baseWidth}, batch ${c.batchSize}, ${c.optimizer} lr D ${c.lrD} G ${c.lrG}`);
    const bar = progress('train', c.iterations, trainer.iteration);
    const t0 = performance.now();
    const startIter = trainer.iteration;
    const last = await trainer.run({
      onIteration: (l) => bar.update(l.iter, { D: l.lossD.toFixed(3), G: l.lossG.toFixed(3) }),
      onEvent: (e) => bar.log(e),
      shouldStop: () => stopRequested,
    });
    bar.stop();
    const secs = (performance.now() - t0) / 1000;
    const done = trainer.iteration - startIter;
    console.error(`${stopRequested ? 'stopped' : 'finished'} at iteration ${trainer.iteration} in ${formatSeconds(secs)} (${(secs / Math.max(1, done)).toFixed(3)} s/iteration)`);
    if (last) console.error(`last losses: D ${last.lossD.toFixed(4)}  G ${last.lossG.toFixed(4)}`);
    // the loop may have just run this test at the last iteration
    const r = trainer.lastRecon?.iter === trainer.iteration ? trainer.lastRecon : await trainer.runningTest();
    console.log(`reconstruction error (running test, ${trainer.split.runningTest.length} images, ${c.reconSteps} steps): ` +
      `MSE per pixel per channel ${r.mse.toFixed(5)}, per image ${r.perImageSquaredDistance.toFixed(2)}`);
    console.log(`outputs in ${c.out}: last.safetensors (resume with --resume ${join(c.out, 'last.safetensors')}), ` +
      `${Number.isFinite(trainer.bestRecon) ? 'best.safetensors, ' : ''}samples/, log.jsonl, config.json`);
  } finally {
    process.off('SIGINT', onSigint);
    trainer?.dispose();
    shutdown();
  }
}
