import type { Runtime } from '../../src/gpu/runtime.js';

/** The kernel keys (name|overrides) and workgroup counts dispatched while `f` runs. */
export function dispatches(rt: Runtime, f: () => void): { key: string; wg: readonly (number | undefined)[] }[] {
  const seen: { key: string; wg: readonly (number | undefined)[] }[] = [];
  const orig = rt.dispatch;
  rt.dispatch = function (this: Runtime, k, buffers, uniforms, wg) {
    seen.push({ key: k.key, wg });
    return orig.call(this, k, buffers, uniforms, wg);
  };
  try {
    f();
  } finally {
    rt.dispatch = orig;
  }
  return seen;
}
