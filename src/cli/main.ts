#!/usr/bin/env node
/** The `wngan` command line. Subcommands live in their own files; this only dispatches. */
import { runInfo } from './info.js';
import { runDemo } from './demo.js';
import { runTrain } from './train.js';
import { runRecon } from './recon.js';
import { runSample } from './sample.js';
import { runExperiment } from './experiment.js';
import { runReport } from './report.js';

const COMMANDS: Record<string, { run: (args: string[]) => Promise<void>; help: string }> = {
  train: { run: runTrain, help: 'train a GAN of the paper (DCGAN or WN ResNet) with checkpoints, samples and the running reconstruction test' },
  recon: { run: runRecon, help: "the paper's reconstruction error of a checkpoint on held-out images" },
  experiment: { run: runExperiment, help: "the paper's comparison: norms × seeds runs, final tests, FD/KID and a report (reruns continue)" },
  worker: { run: (a) => import('./worker.js').then((m) => m.runWorker(a)), help: 'take jobs of `wngan experiment --queue` from a Redis queue and train them (one per GPU machine)' },
  report: { run: runReport, help: 'rebuild the report of an experiment folder from its logs' },
  sample: { run: runSample, help: 'write a grid of generated images' },
  classifier: { run: (a) => import('./classifier.js').then((m) => m.runClassifier(a)), help: 'train the feature classifier of FD/KID (wngan classifier train)' },
  fid: { run: (a) => import('./fid.js').then((m) => m.runFid(a)), help: "a GAN checkpoint's Fréchet distance and KID on the classifier's features" },
  'check-data': { run: (a) => import('./check-data.js').then((m) => m.runCheckData(a)), help: 'decode every image of a data set once and list the files that fail' },
  info: { run: runInfo, help: 'print the WebGPU adapter, its limits and features' },
  demo: { run: runDemo, help: 'a 30-second engine check: a small weight-normalised autoencoder learns Fashion-MNIST' },
};

function usage(): string {
  return ['usage: wngan <command> [options]', '', 'commands:', ...Object.entries(COMMANDS).map(([k, c]) => `  ${k.padEnd(11)} ${c.help}`),
    '', 'wngan <command> --help for its options'].join('\n');
}

async function main(): Promise<void> {
  const [cmd, ...args] = process.argv.slice(2);
  if (!cmd || cmd === '--help' || cmd === '-h') {
    console.log(usage());
    return;
  }
  const c = COMMANDS[cmd];
  if (!c) {
    console.error(`wngan: unknown command '${cmd}'\n\n${usage()}`);
    process.exitCode = 2;
    return;
  }
  await c.run(args);
}

main().catch((e: Error) => {
  console.error(`wngan: ${e.message}`);
  process.exitCode = 1;
});
