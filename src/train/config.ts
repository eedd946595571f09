/** The training run configuration (config-core.ts) plus comparisons of settings that need Node's paths. */
import { resolve } from 'node:path';
import type { DatasetSpec } from '../data/open.js';
import type { TrainConfig } from './config-core.js';

export * from './config-core.js';

/** Whether two values of field `k` mean the same run (data paths compared resolved, a 0 crop as none). */
export function sameSetting(k: keyof TrainConfig, a: unknown, b: unknown): boolean {
  if (k !== 'data') return JSON.stringify(a) === JSON.stringify(b);
  const norm = (d: DatasetSpec) => JSON.stringify([d.kind, d.path === undefined ? undefined : resolve(d.path), d.centerCrop || undefined]);
  return norm(a as DatasetSpec) === norm(b as DatasetSpec);
}
