/**
 * A worker of a distributed experiment: takes jobs from the BullMQ queue, checks each (queue-job.ts) and runs
 * it in a child process (`wngan worker --child`, which calls the same `runJob` as the local executor) into
 * the shared experiment folder. The child keeps the GPU work off this process, so that BullMQ's lock renewal
 * here never waits behind a long GPU call and a busy run is never taken for a dead one.
 *
 * - Progress: the child reports each stage (training, final test) with its step and latest losses; they
 *   become the job's progress (`{ stage, done, total, info: { D, G } }`), which the coordinator shows.
 * - stop(): the children finish their iteration and checkpoint (as Ctrl-C does in `wngan train`), and their
 *   jobs go back to the queue unchanged (no attempt used up), for this or another worker to resume.
 * - A worker that dies leaves its job's lock to expire: BullMQ's stalled-job check (in the other workers)
 *   puts the job back on the queue, and the next worker resumes it from its last checkpoint. A child whose
 *   worker died exits at once (its IPC channel closes), so two processes never train one run.
 * - A failing job is retried (BullMQ's attempts, with backoff), then failed for good with its error; a job
 *   that fails validation is rejected at once and nothing runs.
 */
import type { ChildProcess } from 'node:child_process';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { gridJobs } from './grid.js';
import { isDone } from './job.js';
import type { JobSpec } from './spec.js';
import type { ExperimentRecord } from './record.js';
import { validateQueuedJob } from './queue-job.js';
import type { QueueTarget } from './queue-connection.js';
import type { QueuedProgress } from './queue-executor.js';

/** Worker → child: the job to run (already validated). */
export interface ChildRequest {
  type: 'run';
  dir: string;
  spec: JobSpec;
}

/** Child → worker. */
export type ChildMessage =
  | { type: 'progress'; stage: string; done: number; total: number; info?: Record<string, string> }
  | { type: 'result'; status: 'done' | 'stopped' }
  | { type: 'error'; message: string };

export interface QueueWorkerOptions {
  target: QueueTarget;
  queueName: string;
  concurrency: number;
  /** seconds a job's lock lasts without renewal: how soon another worker takes over a dead worker's job */
  lockSeconds: number;
  /** accept only experiment folders inside this folder */
  root?: string;
  /** starts `wngan worker --child` with an IPC channel */
  spawnChild(): ChildProcess;
  log(line: string): void;
}

export class QueueWorker {
  private readonly worker: Worker;
  private readonly children = new Map<string, ChildProcess>();
  private stopping = false;

  constructor(private readonly o: QueueWorkerOptions) {
    const lockDuration = o.lockSeconds * 1000;
    this.worker = new Worker(o.queueName, (job, token) => this.process(job, token), {
      connection: o.target.redis,
      concurrency: o.concurrency,
      lockDuration,
      stalledInterval: Math.max(1000, Math.round(lockDuration / 2)),
      // a job whose worker died this often (lost machines, kill -9) is failed rather than handed on for ever
      maxStalledCount: 3,
      autorun: false,
    });
    let lastError = '';
    this.worker.on('error', (e) => {
      if (e.message !== lastError) o.log(`queue: ${e.message}; retrying`);
      lastError = e.message;
    });
    this.worker.on('stalled', (id) => o.log(`job ${id}: its worker stopped answering; back on the queue`));
    this.worker.on('lockRenewalFailed', (ids: string[]) => {
      // another worker may take these jobs over: stop ours at once rather than train a run twice
      for (const id of ids) {
        const c = this.children.get(id);
        if (c) {
          o.log(`job ${id}: lost its lock; stopping its run`);
          c.kill('SIGKILL');
        }
      }
    });
  }

  /** Takes jobs until stop(). */
  async run(): Promise<void> {
    await this.worker.run();
  }

  /** Finishes the running jobs' iterations, checkpoints, puts the jobs back on the queue and closes. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const c of this.children.values()) c.kill('SIGTERM');
    await this.worker.close();
  }

  private async process(job: Job, token?: string): Promise<unknown> {
    let dir: string;
    let spec: JobSpec;
    let record: ExperimentRecord;
    try {
      ({ dir, spec, record } = await validateQueuedJob(job.id, job.data, { root: this.o.root }));
    } catch (e) {
      this.o.log(`rejected ${(e as Error).message}`);
      throw new UnrecoverableError(`rejected: ${(e as Error).message}`);
    }
    if (this.stopping) return this.giveBack(job, token);
    if (isDone(dir, spec)) return { status: 'done', ran: false };
    const all = gridJobs(record.grid);
    for (const n of spec.kind === 'train' ? spec.needs : []) {
      const need = all.find((j) => j.name === n);
      if (!need || !isDone(dir, need)) throw new Error(`${spec.name} needs ${n}, which has not finished`);
    }
    const status = await this.runChild(job, dir, spec);
    if (status === 'stopped') {
      this.o.log(`${job.id}: stopped at a checkpoint; back on the queue`);
      return this.giveBack(job, token);
    }
    this.o.log(`${job.id}: done`);
    return { status: 'done', ran: true };
  }

  /** Puts an active job back on the queue as it is (no attempt counted). */
  private async giveBack(job: Job, token?: string): Promise<never> {
    await job.moveToWait(token);
    throw new WaitingError();
  }

  private runChild(job: Job, dir: string, spec: JobSpec): Promise<'done' | 'stopped'> {
    const id = job.id!;
    return new Promise((resolvePromise, reject) => {
      const child = this.o.spawnChild();
      this.children.set(id, child);
      this.o.log(`${id}: started (${spec.name} of ${dir}, process ${child.pid})`);
      if (this.stopping) child.kill('SIGTERM');
      let outcome: ChildMessage | null = null;
      let lastSent = 0;
      let lastPrinted = 0;
      let lastStage = '';
      // at most one update per 250 ms, but the latest state always follows (a trailing update), so that a
      // burst of fast iterations still shows its losses
      let trailing: NodeJS.Timeout | null = null;
      let latest: QueuedProgress | null = null;
      const send = () => {
        if (trailing) clearTimeout(trailing);
        trailing = null;
        lastSent = Date.now();
        if (latest) job.updateProgress(latest).catch(() => {});
        latest = null;
      };
      child.on('message', (m: ChildMessage) => {
        if (m.type === 'progress') {
          const now = Date.now();
          // the job's own labels start with its name
          const stage = m.stage.startsWith(`${spec.name} `) ? m.stage.slice(spec.name.length + 1) : m.stage;
          const edge = m.done >= m.total || stage !== lastStage;
          lastStage = stage;
          latest = { stage, done: m.done, total: m.total, info: m.info };
          if (edge || now - lastSent >= 250) send();
          else trailing ??= setTimeout(send, 250 - (now - lastSent));
          if (edge || now - lastPrinted >= 10_000) {
            lastPrinted = now;
            this.o.log(`${spec.name}: ${stage} ${m.done}/${m.total}${Object.entries(m.info ?? {}).map(([k, v]) => `  ${k} ${v}`).join('')}`);
          }
        } else outcome = m;
      });
      child.on('error', (e) => reject(new Error(`${spec.name}: cannot start the job process: ${e.message}`)));
      child.on('exit', (code, signal) => {
        this.children.delete(id);
        if (trailing) clearTimeout(trailing);
        const o = outcome as ChildMessage | null;
        if (o?.type === 'result') resolvePromise(o.status);
        else if (o?.type === 'error') reject(new Error(o.message));
        else reject(new Error(`${spec.name}: the job process ended without a result (${signal ? `signal ${signal}` : `exit status ${code}`})`));
      });
      const request: ChildRequest = { type: 'run', dir, spec };
      child.send(request);
    });
  }
}
