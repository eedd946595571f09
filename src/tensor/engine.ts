/**
 * Process-wide engine state: the current runtime and the stack of tidy() scopes. Kept tiny and separate so
 * that the tensor, op and autograd modules can share it without import cycles.
 */
import type { Runtime } from '../gpu/runtime.js';

interface Disposable {
  kept: boolean;
  isDisposed: boolean;
  dispose(): void;
}

let runtime: Runtime | null = null;
const scopes: Disposable[][] = [];

export function setRuntime(rt: Runtime | null): void {
  runtime = rt;
}

export function currentRuntime(): Runtime {
  if (!runtime) throw new Error('no wngan runtime: call `await initNode()` (Node) or `await initBrowser()` first');
  return runtime;
}

export function hasRuntime(): boolean {
  return runtime !== null;
}

export function trackTensor(t: Disposable): void {
  scopes[scopes.length - 1]?.push(t);
}

/** Enter a scope; every tensor created until the matching endScope() belongs to it. */
export function beginScope(): void {
  scopes.push([]);
}

/**
 * Leave the innermost scope: dispose its tensors except kept ones and those in `survivors`, which move to
 * the enclosing scope (so nested tidy() calls compose).
 */
export function endScope(survivors: Iterable<Disposable> = []): void {
  const scope = scopes.pop();
  if (!scope) throw new Error('endScope() without beginScope()');
  const keepSet = new Set(survivors);
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (t.isDisposed) continue;
    if (keepSet.has(t)) parent?.push(t);
    else if (!t.kept) t.dispose();
  }
}

export function scopeDepth(): number {
  return scopes.length;
}
