/** The page's settings from its URL (?size=16&width=8...), checked with errors that name the parameter. */
export interface DemoParams {
  size: number;
  width: number;
  batch: number;
  code: number;
  iterations: number;
  every: number;
  steps: number;
  lr: number;
  seed: number;
  compare: boolean;
  autostart: boolean;
}

/** Defaults: `wngan train`'s DCGAN (32 px, z of 128, RMSprop lr 1e-4, batch 32) at a quarter of its width, quick on a real GPU. */
const DEFAULTS: DemoParams = {
  size: 32, width: 16, batch: 32, code: 128, iterations: 5000, every: 5, steps: 50, lr: 1e-4, seed: 1,
  compare: false, autostart: true,
};

const INT_BOUNDS: Partial<Record<keyof DemoParams, [number, number]>> = {
  width: [1, 256], batch: [1, 256], code: [1, 1024], iterations: [1, 1e7], every: [1, 1e6], steps: [1, 10000], seed: [0, 2 ** 31],
};

export function readParams(search: string): DemoParams {
  const q = new URLSearchParams(search);
  const p: DemoParams = { ...DEFAULTS };
  for (const [key, raw] of q) {
    if (!(key in DEFAULTS)) throw new Error(`unknown URL parameter "${key}" (known: ${Object.keys(DEFAULTS).join(', ')})`);
    const k = key as keyof DemoParams;
    if (typeof DEFAULTS[k] === 'boolean') {
      if (!['0', '1', 'true', 'false'].includes(raw)) throw new Error(`URL parameter ${key} must be 0 or 1, got "${raw}"`);
      (p[k] as boolean) = raw === '1' || raw === 'true';
      continue;
    }
    const v = Number(raw);
    if (k === 'size') {
      if (![16, 32, 64].includes(v)) throw new Error(`URL parameter size must be 16, 32 or 64 (the DCGAN's sizes here), got "${raw}"`);
    } else if (k === 'lr') {
      if (!(v > 0 && v < 1)) throw new Error(`URL parameter lr must be in (0, 1), got "${raw}"`);
    } else {
      const [lo, hi] = INT_BOUNDS[k]!;
      if (!Number.isInteger(v) || v < lo || v > hi) throw new Error(`URL parameter ${key} must be an integer in [${lo}, ${hi}], got "${raw}"`);
    }
    (p[k] as number) = v;
  }
  return p;
}
