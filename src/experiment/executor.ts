/**
 * Executors run job specs. The local one runs them one after another in this process, each through the same
 * `runJob` that a distributed executor's workers would call with the same specs.
 */
import type { JobSpec } from './spec.js';
import { isDone, runJob, type JobContext } from './job.js';

export interface Executor {
  /** 'done' when every job has finished; 'stopped' when a stop request interrupted one */
  run(jobs: JobSpec[]): Promise<'done' | 'stopped'>;
}

/** Dependency order (a job after the jobs it needs), keeping the grid's order otherwise. */
export function jobOrder(jobs: JobSpec[]): JobSpec[] {
  const byName = new Map(jobs.map((j) => [j.name, j]));
  const out: JobSpec[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (j: JobSpec) => {
    if (state.get(j.name) === 'done') return;
    if (state.get(j.name) === 'visiting') throw new Error(`experiment: job ${j.name} depends on itself`);
    state.set(j.name, 'visiting');
    for (const n of j.kind === 'train' ? j.needs : []) {
      const dep = byName.get(n);
      if (!dep) throw new Error(`experiment: job ${j.name} needs '${n}', which is not in the grid`);
      visit(dep);
    }
    state.set(j.name, 'done');
    out.push(j);
  };
  jobs.forEach(visit);
  return out;
}

export class LocalExecutor implements Executor {
  constructor(readonly dir: string, readonly ctx: JobContext) {}

  async run(jobs: JobSpec[]): Promise<'done' | 'stopped'> {
    const ordered = jobOrder(jobs);
    const todo = ordered.filter((j) => !isDone(this.dir, j));
    if (todo.length < ordered.length) this.ctx.log(`${ordered.length - todo.length} of ${ordered.length} jobs already finished; skipping them`);
    for (const [k, job] of todo.entries()) {
      if (this.ctx.shouldStop()) return 'stopped';
      this.ctx.log(`[${ordered.length - todo.length + k + 1}/${ordered.length}] ${job.name}`);
      if ((await runJob(job, this.dir, this.ctx)) === 'stopped') return 'stopped';
    }
    return 'done';
  }
}
