/** Browser entry to the GPU: navigator.gpu. */
import { runtimeFromGpu } from './adapter.js';
import type { Runtime, RuntimeOptions } from './runtime.js';

export async function createBrowserRuntime(opts: RuntimeOptions = {}): Promise<Runtime> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) {
    throw new Error('This browser does not expose WebGPU (navigator.gpu is undefined). Use a recent Chrome/Edge, ' +
      'or Chromium with --enable-unsafe-webgpu; pages must be served from a secure context (https or localhost).');
  }
  return runtimeFromGpu(gpu, 'The browser offered no adapter (WebGPU may be disabled or blocklisted for this GPU).', () => {}, opts);
}
