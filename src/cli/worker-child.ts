/**
 * `wngan worker --child`: the process a worker starts for one job (queue-worker.ts). It gets the validated
 * spec over its IPC channel, runs it with the same `runJob` as the local executor, and reports progress and
 * its outcome back. SIGTERM (or Ctrl-C) finishes the iteration and checkpoints; if its worker dies, it exits
 * at once, so that the worker that takes the job over is the only one writing the run.
 */
import { initNode, shutdown } from '../engine-node.js';
import { runJob, type JobContext, type JobProgress } from '../experiment/job.js';
import type { ChildMessage, ChildRequest } from '../experiment/queue-worker.js';

export async function runWorkerChild(): Promise<void> {
  if (!process.send) throw new Error('worker --child is started by wngan worker, with an IPC channel; run wngan worker --queue URL');
  let finished = false;
  process.on('disconnect', () => {
    if (!finished) process.exit(137);
  });
  const request = await new Promise<ChildRequest>((resolve) => process.once('message', (m) => resolve(m as ChildRequest)));
  let stop = false;
  const onStop = () => {
    stop = true;
  };
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);
  const post = (m: ChildMessage) => new Promise<void>((resolve) => {
    try {
      process.send!(m, undefined, undefined, () => resolve());
    } catch {
      resolve();
    }
  });
  const progress = (stage: string, total: number, start = 0): JobProgress => {
    void post({ type: 'progress', stage, done: start, total });
    return {
      update: (done, info) => void post({ type: 'progress', stage, done, total, info }),
      log: (line) => process.stderr.write(`${line}\n`),
      stop() {},
    };
  };
  const ctx: JobContext = { progress, log: (line) => process.stderr.write(`${line}\n`), shouldStop: () => stop };
  try {
    await initNode();
    const status = await runJob(request.spec, request.dir, ctx);
    await post({ type: 'result', status });
  } catch (e) {
    await post({ type: 'error', message: (e as Error).message });
    process.exitCode = 1;
  } finally {
    shutdown();
    finished = true;
    process.disconnect();
  }
}
