/** Browser entry: the engine on navigator.gpu. */
import { createBrowserRuntime } from './gpu/browser.js';
import type { Runtime, RuntimeOptions } from './gpu/runtime.js';
import { currentRuntime, hasRuntime, setRuntime } from './tensor/engine.js';

export * from './index.js';

export async function initBrowser(opts: RuntimeOptions = {}): Promise<Runtime> {
  if (hasRuntime()) return currentRuntime();
  const rt = await createBrowserRuntime(opts);
  setRuntime(rt);
  return rt;
}
