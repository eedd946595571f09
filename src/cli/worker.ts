/**
 * `wngan worker --queue redis://HOST:PORT/DB`: one per GPU machine (or per GPU). Takes the jobs of
 * `wngan experiment --queue` runs from the queue and trains them into their shared experiment folders
 * (src/experiment/queue-worker.ts). SIGTERM or Ctrl-C: the running jobs finish their iteration, checkpoint and
 * go back to the queue; then the worker exits. A second signal exits at once (the jobs resume from their last
 * checkpoint on another worker).
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { checkConnection, parseQueueUrl } from '../experiment/queue-connection.js';
import { QueueWorker } from '../experiment/queue-worker.js';
import { helpText, parseArgs } from './args.js';
import { checkQueueName, QUEUE_NAME_FLAG, QUEUE_URL_HELP } from './queue-flags.js';

const SPEC = {
  queue: { type: 'string', help: `the job queue: ${QUEUE_URL_HELP}` },
  'queue-name': QUEUE_NAME_FLAG,
  concurrency: { type: 'number', default: 1, int: true, min: 1, max: 64, help: 'jobs at once: one per GPU' },
  'lock-seconds': { type: 'number', default: 30, int: true, min: 2, max: 86400, help: "a job's lock without renewal: a dead worker's job goes to another after about this long" },
  root: { type: 'string', default: '', help: 'run only jobs of experiment folders inside this folder (default: any folder that holds an experiment)' },
} as const;

const SUMMARY = `Take jobs of \`wngan experiment --queue\` from the queue and train them into their shared experiment folder
(the same path on every machine). SIGTERM or Ctrl-C: finish the iteration, checkpoint, put the job back; then exit.`;

export async function runWorker(args: string[]): Promise<void> {
  if (args[0] === '--child') return (await import('./worker-child.js')).runWorkerChild();
  const o = parseArgs('worker', args, SPEC);
  if (!o) return console.log(helpText('worker', SUMMARY, SPEC));
  const queueName = checkQueueName(o['queue-name'], 'worker');
  const target = parseQueueUrl(o.queue);
  await checkConnection(target);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const worker = new QueueWorker({
    target, queueName, concurrency: o.concurrency, lockSeconds: o['lock-seconds'], root: o.root ? resolve(o.root) : undefined, log,
    spawnChild: () => spawn(process.execPath, [...process.execArgv, process.argv[1], 'worker', '--child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  });
  let stopping: Promise<void> | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(signal === 'SIGINT' ? 130 : 143);
    log(`worker: stopping: the running jobs finish their iteration, checkpoint and go back to the queue (${signal === 'SIGINT' ? 'Ctrl-C' : signal} again: exit now)`);
    stopping = worker.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  log(`worker ${process.pid}: taking jobs from ${target.display}, queue '${queueName}', ${o.concurrency} at a time`);
  try {
    await worker.run();
    await stopping;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  log('worker: stopped');
}
