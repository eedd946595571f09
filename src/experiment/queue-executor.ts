/**
 * The coordinator of a distributed experiment: it puts the job specs on a BullMQ queue, one job per run with
 * the run's id as job id (so a run is never queued twice, and rerunning the coordinator queues nothing new),
 * follows the grid's progress and returns when every job has finished or failed. Workers (queue-worker.ts)
 * run the jobs into the shared experiment folder; the coordinator never trains and needs no GPU.
 *
 * Dependencies: a job is queued only when the jobs it `needs` have finished (their results are in the
 * folder), so the train jobs go on the queue after the classifier job has finished. A job whose dependency
 * failed fails too, naming it.
 *
 * Stopping the coordinator only detaches it: the queue and the workers go on, and the same command
 * reattaches. A job that failed for good (after its attempts) is recorded in `<run>/failed.json`, which the
 * report shows.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Queue, type Job } from 'bullmq';
import type { Executor } from './executor.js';
import { jobOrder, } from './executor.js';
import { isDone } from './job.js';
import { writeJson } from './files.js';
import type { JobSpec } from './spec.js';
import { QUEUED_JOB_FORMAT, runId, type QueuedJob } from './queue-job.js';
import type { QueueTarget } from './queue-connection.js';

export const FAILED_FILE = 'failed.json';

/** `<run>/failed.json` (for the classifier: `classifier.failed.json` beside it): why a job failed for good. */
export interface FailedRecord {
  name: string;
  error: string;
  attempts: number;
  at: string;
}

export function failedPath(dir: string, job: JobSpec): string {
  return job.kind === 'train' ? join(dir, job.config.out, FAILED_FILE) : join(dir, 'classifier.failed.json');
}

/** What a worker stores as a job's progress. */
export interface QueuedProgress {
  stage: string;
  done: number;
  total: number;
  info?: Record<string, string>;
}

export interface QueueExecutorOptions {
  target: QueueTarget;
  queueName: string;
  /** the experiment's key (queue-job.ts): job ids are `<key>.<name>` */
  key: string;
  /** attempts per job before it is failed for good */
  attempts: number;
  /** put jobs that failed for good back on the queue, once */
  retryFailed: boolean;
  log(line: string): void;
  shouldStop(): boolean;
  pollMs?: number;
  /** a status line at least this often (and whenever a job changes state) */
  statusEveryMs?: number;
}

type State = 'pending' | 'queued' | 'waiting' | 'active' | 'done' | 'failed';

export class QueueExecutor implements Executor {
  /** the jobs that failed for good in the last run() */
  failed: FailedRecord[] = [];

  constructor(readonly dir: string, readonly opts: QueueExecutorOptions) {}

  async run(jobs: JobSpec[]): Promise<'done' | 'stopped'> {
    const o = this.opts;
    const queue = new Queue(o.queueName, { connection: o.target.redis });
    let lastError = '';
    queue.on('error', (e) => {
      // Redis away (a restart): ioredis reconnects by itself; say so once per distinct error
      if (e.message !== lastError) o.log(`queue: ${e.message}; retrying`);
      lastError = e.message;
    });
    try {
      return await this.follow(jobOrder(jobs), queue);
    } finally {
      await queue.close().catch(() => {});
    }
  }

  private async follow(ordered: JobSpec[], queue: Queue): Promise<'done' | 'stopped'> {
    const o = this.opts;
    const state = new Map<string, State>();
    const progress = new Map<string, QueuedProgress>();
    const retried = new Set<string>();
    const finishedBefore = ordered.filter((j) => isDone(this.dir, j)).length;
    if (finishedBefore) o.log(`${finishedBefore} of ${ordered.length} jobs already finished`);
    let lastLine = '';
    let lastPrint = 0;
    this.failed = [];
    for (;;) {
      if (o.shouldStop()) return 'stopped';
      for (const job of ordered) {
        const st = state.get(job.name);
        if (st === 'done' || st === 'failed') continue;
        if (isDone(this.dir, job)) {
          state.set(job.name, 'done');
          continue;
        }
        const needs = job.kind === 'train' ? job.needs : [];
        const failedNeed = needs.find((n) => state.get(n) === 'failed');
        if (failedNeed) {
          await this.fail(job, `needs ${failedNeed}, which failed`, 0);
          state.set(job.name, 'failed');
          continue;
        }
        if (!needs.every((n) => state.get(n) === 'done')) {
          state.set(job.name, 'pending');
          continue;
        }
        const id = runId(o.key, job.name);
        const queued: Job | undefined = await queue.getJob(id);
        if (!queued) {
          if (st === 'queued' || st === 'waiting' || st === 'active') o.log(`${job.name}: no longer on the queue (was Redis restarted without its AOF file?); queueing it again`);
          const data: QueuedJob = { format: QUEUED_JOB_FORMAT, dir: this.dir, spec: job };
          await queue.add(job.name, data, {
            jobId: id, attempts: o.attempts, backoff: { type: 'exponential', delay: 5000 },
            // kept: a finished job's id keeps a rerun of the coordinator from queueing it again
            removeOnComplete: false, removeOnFail: false,
          });
          await rm(failedPath(this.dir, job), { force: true });
          state.set(job.name, 'queued');
          continue;
        }
        const s = await queued.getState();
        if (queued.progress && typeof queued.progress === 'object') progress.set(job.name, queued.progress as QueuedProgress);
        if (s === 'completed') {
          // the worker wrote the result into the shared folder before it completed the job
          if (isDone(this.dir, job)) state.set(job.name, 'done');
          else {
            await this.fail(job, `a worker completed it, but ${this.dir} holds no result: is the experiment folder the same shared folder, at the same path, on every machine?`, queued.attemptsMade);
            state.set(job.name, 'failed');
          }
        } else if (s === 'failed') {
          if (o.retryFailed && !retried.has(job.name)) {
            retried.add(job.name);
            o.log(`${job.name}: failed before (${queued.failedReason}); queueing it again (--retry-failed)`);
            await rm(failedPath(this.dir, job), { force: true });
            await queued.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
            state.set(job.name, 'waiting');
          } else {
            await this.fail(job, queued.failedReason || 'failed', queued.attemptsMade);
            state.set(job.name, 'failed');
          }
        } else state.set(job.name, s === 'active' ? 'active' : 'waiting');
      }
      const line = this.status(ordered, state, progress);
      const changed = line.replace(/ \|.*/, '') !== lastLine.replace(/ \|.*/, '');
      if (changed || Date.now() - lastPrint >= (o.statusEveryMs ?? 15_000)) {
        o.log(line);
        lastPrint = Date.now();
      }
      lastLine = line;
      if (ordered.every((j) => state.get(j.name) === 'done' || state.get(j.name) === 'failed')) return 'done';
      const until = Date.now() + (o.pollMs ?? 1000);
      while (Date.now() < until && !o.shouldStop()) await new Promise((r) => setTimeout(r, 100));
    }
  }

  private async fail(job: JobSpec, error: string, attempts: number): Promise<void> {
    const rec: FailedRecord = { name: job.name, error, attempts, at: new Date().toISOString() };
    if (!this.failed.some((f) => f.name === job.name)) {
      this.failed.push(rec);
      this.opts.log(`${job.name}: FAILED${attempts ? ` after ${attempts} attempt(s)` : ''}: ${error}`);
    }
    // the report shows it; a later successful attempt (--retry-failed) removes it
    if (!existsSync(failedPath(this.dir, job))) await writeJson(failedPath(this.dir, job), rec);
  }

  private status(ordered: JobSpec[], state: Map<string, State>, progress: Map<string, QueuedProgress>): string {
    const count = (...s: State[]) => ordered.filter((j) => s.includes(state.get(j.name) ?? 'pending')).length;
    const active = ordered.filter((j) => state.get(j.name) === 'active').map((j) => {
      const p = progress.get(j.name);
      if (!p) return j.name;
      const info = Object.entries(p.info ?? {}).map(([k, v]) => ` ${k} ${v}`).join('');
      return `${j.name} ${p.stage} ${p.done}/${p.total}${info}`;
    });
    return `grid: ${count('done')}/${ordered.length} done, ${count('active')} running, ${count('queued', 'waiting')} queued, ` +
      `${count('pending')} waiting for others, ${count('failed')} failed${active.length ? ` | ${active.join(' | ')}` : ''}`;
  }
}
