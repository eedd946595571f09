/** What the page exposes as `window.__demo`, for tests and the screenshot script to wait on. */
export interface DemoHook {
  /** 'unsupported': no WebGPU (see `unsupported`); 'error': start-up failed (see `error`) */
  phase: 'loading' | 'ready' | 'unsupported' | 'error';
  unsupported?: string;
  error?: string;
  /** iterations done per norm ('weight', 'batch') */
  iterations: Record<string, number>;
  /** sample grids drawn per norm */
  grids: Record<string, number>;
  training: 'running' | 'paused' | 'done' | 'failed' | 'idle';
  checkpoint: { status: 'none' | 'loading' | 'loaded' | 'error'; message?: string; grids: number };
  recon: { status: 'none' | 'running' | 'done' | 'error'; mse?: number; message?: string };
}

export function installHook(): DemoHook {
  const hook: DemoHook = {
    phase: 'loading', iterations: {}, grids: {}, training: 'idle',
    checkpoint: { status: 'none', grids: 0 }, recon: { status: 'none' },
  };
  (window as unknown as { __demo: DemoHook }).__demo = hook;
  return hook;
}
