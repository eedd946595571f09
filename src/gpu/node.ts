/** Node entry to the GPU: Dawn through the `webgpu` package. Never imported by the browser bundle. */
import { runtimeFromGpu } from './adapter.js';
import type { Runtime, RuntimeOptions } from './runtime.js';

const NODE_HELP =
  'Dawn found no usable Vulkan (or Metal/D3D12) driver. On a Linux machine without a GPU install the Mesa ' +
  'software driver (lavapipe, Mesa >= 24; Debian 12 needs bookworm-backports): run `npm run setup:vulkan` ' +
  '(scripts/install-vulkan.sh). On a machine with a GPU, install its Vulkan driver.';

export async function createNodeRuntime(opts: RuntimeOptions & { dawnFlags?: string[] } = {}): Promise<Runtime> {
  // Mesa complains loudly without it; harmless, but noisy in CLI output.
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  const webgpu = await import('webgpu');
  Object.assign(globalThis, webgpu.globals);
  let gpu: GPU | null = webgpu.create(opts.dawnFlags ?? []);
  // The Dawn instance keeps the event loop alive; drop our reference on destroy so the process can exit.
  return runtimeFromGpu(gpu, NODE_HELP, () => {
    gpu = null;
  }, opts);
}
