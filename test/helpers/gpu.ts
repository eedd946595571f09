/** One engine per test file: started in beforeAll, destroyed in afterAll (so the worker can exit). */
import { afterAll, beforeAll } from 'vitest';
import { initNode, shutdown } from '../../src/engine-node.js';
import type { Runtime } from '../../src/gpu/runtime.js';

export function useGpu(): { rt: () => Runtime } {
  let rt: Runtime | null = null;
  beforeAll(async () => {
    rt = await initNode();
  });
  afterAll(() => {
    shutdown();
  });
  return {
    rt: () => {
      if (!rt) throw new Error('GPU not initialised');
      return rt;
    },
  };
}
