/** `wngan train`: train a GAN of the paper (DCGAN R1 or WN ResNet R2), with checkpoints and exact resume. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { initNode, shutdown } from '../engine-node.js';
import { Trainer } from '../train/trainer.js';
import { TRAIN_FLAGS } from './train-flags.js';
import { planNewRun, planResume } from './train-plan.js';
import { helpText, parseArgs } from './args.js';
import { progress, formatSeconds, type Progress } from './progress.js';

const SPEC = TRAIN_FLAGS;
const EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

const SUMMARY = `Train a GAN of the paper into the run folder --out: config.json, log.jsonl, samples/, last.safetensors and best.safetensors.
A folder that already holds a run is refused (continue it with --resume DIR; start afresh with --force, which moves it aside).
--resume DIR|CHECKPOINT continues a run in its folder, or with --out NEW in a full copy. Flags that define the model or the data
must match the run; learning rates, --iterations, intervals and guard settings may change (logged as a "resume" event).
Ctrl-C finishes the iteration, writes last.safetensors and exits with status 130 (a second Ctrl-C exits at once).`;

/** A bar for running-test passes: the training bar steps aside while one runs. */
function testBars(main?: Progress) {
  let bar: Progress | null = null;
  const close = () => {
    if (!bar) return;
    bar.stop();
    bar = null;
    main?.resume();
  };
  const update = (done: number, total: number) => {
    if (!bar) {
      main?.pause();
      bar = progress('running test', total, 0, 'img');
    }
    bar.update(done);
    if (done >= total) close();
  };
  return { update, close };
}

export async function runTrain(args: string[]): Promise<void> {
  const given = new Set<string>();
  const o = parseArgs('train', args, SPEC, given);
  if (!o) return console.log(helpText('train', SUMMARY, SPEC));
  // paths, flags and the checkpoint are checked before the GPU and the data load
  const plan = o.resume ? await planResume(o, given) : await planNewRun(o, given);
  for (const n of plan.notes) console.error(n);

  let stop: keyof typeof EXIT | null = null;
  const onSignal = (sig: keyof typeof EXIT) => {
    if (stop) {
      process.stderr.write(`\n${sig} again: exiting now (the last checkpoint is kept)\n`);
      process.exit(EXIT[sig]);
    }
    stop = sig;
    process.stderr.write(`\nstopping: finishing this iteration and writing the checkpoint (no reconstruction test); ${sig === 'SIGINT' ? 'Ctrl-C' : sig} again exits at once\n`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let trainer: Trainer | null = null;
  let started = false;
  try {
    const rt = await initNode();
    trainer = plan.kind === 'resume'
      ? await Trainer.resume(plan.checkpoint, plan.overrides, plan.copiedFrom ? { copiedFrom: plan.copiedFrom } : {})
      : await Trainer.create(plan.config);
    const t = trainer;
    const c = t.config;
    console.error(`adapter: ${rt.adapter.description}`);
    console.error(`data: ${t.data.description}; ${t.split.train.length} training images, running test ${t.split.runningTest.length}, final test ${t.split.finalTest.length}`);
    console.error(`model: ${c.model} norm=${c.norm} ${c.imageSize}px width ${c.baseWidth}, batch ${c.batchSize}, ${c.optimizer} lr D ${c.lrD} G ${c.lrG} eps ${c.eps}`);
    const bar = progress('train', c.iterations, t.iteration);
    const tests = testBars(bar);
    const t0 = performance.now();
    const startIter = t.iteration;
    started = true;
    const last = await t.run({
      onIteration: (l) => bar.update(l.iter, { D: l.lossD.toFixed(3), G: l.lossG.toFixed(3) }),
      onEvent: (e) => bar.log(e),
      shouldStop: () => stop !== null,
      onTestProgress: tests.update,
    });
    tests.close();
    bar.stop();
    const secs = (performance.now() - t0) / 1000;
    const done = t.iteration - startIter;
    const bad = t.loader.bad.size ? `; ${t.loader.bad.size} unusable image(s) skipped (bad-file events in log.jsonl)` : '';
    console.error(`${stop ? 'stopped' : 'finished'} at iteration ${t.iteration} in ${formatSeconds(secs)} (${(secs / Math.max(1, done)).toFixed(3)} s/iteration)${bad}`);
    if (last) console.error(`last losses: D ${last.lossD.toFixed(4)}  G ${last.lossG.toFixed(4)}`);
    if (stop) {
      const ckpt = existsSync(join(c.out, 'last.safetensors'));
      console.error(ckpt ? `checkpoint: ${join(c.out, 'last.safetensors')}; continue with: wngan train --resume ${c.out}` : 'no checkpoint was written (stopped before the first iteration)');
      process.exitCode = EXIT[stop];
      return;
    }
    // the loop may have just run this test at the last iteration
    let r: { mse: number; perImageSquaredDistance: number } | null = t.lastRecon?.iter === t.iteration ? t.lastRecon : null;
    if (!r) {
      const final = testBars();
      final.update(0, t.split.runningTest.length);
      r = await t.runningTest(undefined, undefined, final.update);
      final.close();
    }
    console.log(`reconstruction error (running test, ${t.split.runningTest.length} images, ${c.reconSteps} steps): ` +
      `MSE per pixel per channel ${r.mse.toFixed(5)}, per image ${r.perImageSquaredDistance.toFixed(2)}`);
    console.log(`outputs in ${c.out}: last.safetensors (continue with --resume ${c.out}), ` +
      `${existsSync(join(c.out, 'best.safetensors')) ? 'best.safetensors, ' : ''}samples/, log.jsonl, config.json`);
  } catch (e) {
    if (!started && plan.kind === 'resume') await plan.undo();
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    trainer?.dispose();
    shutdown();
  }
}
