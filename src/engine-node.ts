/** Node entry points: start the engine on Dawn and tear it down so the process can exit. */
import { createNodeRuntime } from './gpu/node.js';
import type { Runtime, RuntimeOptions } from './gpu/runtime.js';
import { currentRuntime, hasRuntime, setRuntime } from './tensor/engine.js';

export async function initNode(opts: RuntimeOptions & { dawnFlags?: string[] } = {}): Promise<Runtime> {
  if (hasRuntime()) return currentRuntime();
  const rt = await createNodeRuntime(opts);
  setRuntime(rt);
  return rt;
}

export function shutdown(): void {
  if (!hasRuntime()) return;
  const rt = currentRuntime();
  setRuntime(null);
  rt.destroy();
}
