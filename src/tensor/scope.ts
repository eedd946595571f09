/** Deterministic GPU memory: tidy() disposes every tensor created inside it except what it returns. */
import type { Tensor } from './tensor.js';
import { beginScope, endScope } from './engine.js';

type Result = Tensor | readonly Result[] | { readonly [k: string]: Result } | number | string | boolean | void | null | undefined;

function collect(r: unknown, out: Set<Tensor>): void {
  if (r === null || typeof r !== 'object') return;
  if ((r as Tensor).storage !== undefined && typeof (r as Tensor).dispose === 'function') {
    out.add(r as Tensor);
    return;
  }
  for (const v of Array.isArray(r) ? r : Object.values(r)) collect(v, out);
}

export function tidy<T extends Result>(fn: () => T): T {
  beginScope();
  let result: T;
  try {
    result = fn();
  } catch (e) {
    endScope();
    throw e;
  }
  if (result instanceof Promise) {
    endScope();
    throw new Error('tidy() takes a synchronous function; await outside it (GPU work is queued, not awaited)');
  }
  const survivors = new Set<Tensor>();
  collect(result, survivors);
  endScope(survivors);
  return result;
}

/** Mark a tensor as long-lived: no tidy() scope will dispose it. */
export function keep<T extends Tensor>(t: T): T {
  t.kept = true;
  return t;
}
