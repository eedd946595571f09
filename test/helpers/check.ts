/**
 * The op test harness. For an op it runs, on the GPU, the forward pass and backward() with a random upstream
 * gradient dy, and checks
 *   - the forward output against a CPU float64 reference implementation, and
 *   - every input gradient against central finite differences of L(x) = Σ dy·ref(x) computed in float64.
 * Tolerance (f32 on the GPU): each element must satisfy |got − want| ≤ rtol·(|want| + rms(want)), rtol = 1e-4
 * unless a test states otherwise; the rms term absorbs f32 cancellation in elements far below the typical
 * magnitude.
 *
 * It throws plain Errors instead of using vitest's expect, so that the browser tests (test/browser/) bundle
 * and run this same harness inside Chromium.
 */
import { tensor, type Tensor } from '../../src/tensor/tensor.js';
import { tidy } from '../../src/tensor/scope.js';
import { backward } from '../../src/autograd/backward.js';

/** A small seeded generator for test data (mulberry32). */
export function makeRng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    uniform: (lo = -1, hi = 1) => lo + (hi - lo) * next(),
    /** f32-representable values in [lo, hi), optionally at least `gap` away from every point in `avoid` */
    array(n: number, lo = -1, hi = 1, avoid: number[] = [], gap = 0): Float64Array {
      const a = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let v: number;
        do v = Math.fround(lo + (hi - lo) * next());
        while (avoid.some((p) => Math.abs(v - p) < gap));
        a[i] = v;
      }
      return a;
    },
  };
}

export function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, label: string, rtol = 1e-4): void {
  if (got.length !== want.length) throw new Error(`${label}: length ${got.length}, want ${want.length}`);
  let ss = 0;
  for (let i = 0; i < want.length; i++) ss += want[i] * want[i];
  const rms = Math.sqrt(ss / Math.max(1, want.length));
  let worst = -1;
  let worstRatio = 0;
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    const allowed = rtol * (Math.abs(want[i]) + rms);
    const ratio = err / (allowed || Number.MIN_VALUE);
    if (!(ratio <= worstRatio) || Number.isNaN(got[i])) {
      worstRatio = Number.isNaN(got[i]) ? Infinity : ratio;
      worst = i;
    }
  }
  if (worstRatio > 1) {
    throw new Error(
      `${label}: element ${worst} is ${got[worst]}, want ${want[worst]} ` +
        `(error ${Math.abs(got[worst] - want[worst]).toExponential(3)} > allowed ${(rtol * (Math.abs(want[worst]) + rms)).toExponential(3)}, rtol ${rtol})`,
    );
  }
}

export interface InputSpec {
  name: string;
  shape: number[];
  /** values; random in [lo,hi) if absent */
  data?: ArrayLike<number>;
  lo?: number;
  hi?: number;
  /** values to stay away from (kinks), and by how much */
  avoid?: number[];
  gap?: number;
  /** differentiate w.r.t. this input (default true) */
  grad?: boolean;
}

export interface OpCheck {
  name: string;
  inputs: InputSpec[];
  gpu: (xs: Tensor[]) => Tensor;
  ref: (xs: Float64Array[]) => Float64Array;
  seed?: number;
  rtol?: number;
  gradRtol?: number;
  fdStep?: number;
  /** finite differences at most this many elements per input (all if fewer; default 300), sampled evenly */
  fdMax?: number;
}

export async function checkOp(c: OpCheck): Promise<void> {
  const rng = makeRng(c.seed ?? 1234);
  const xs = c.inputs.map((s) => (s.data ? Float64Array.from(s.data, Math.fround) : rng.array(size(s.shape), s.lo ?? -1, s.hi ?? 1, s.avoid, s.gap)));
  const want = c.ref(xs);
  const dyHost = rng.array(want.length, -1, 1);
  const ts = c.inputs.map((s, i) => {
    const t = tensor(Float32Array.from(xs[i]), s.shape, s.name);
    t.requiresGrad = s.grad !== false;
    return t;
  });
  const y = tidy(() => {
    const out = c.gpu(ts);
    backward(out, tensor(Float32Array.from(dyHost), out.shape));
    return out;
  });
  assertClose(await y.read(), want, `${c.name} forward`, c.rtol);
  y.dispose();

  const h = c.fdStep ?? 1e-6;
  for (let i = 0; i < c.inputs.length; i++) {
    if (c.inputs[i].grad === false) continue;
    const g = ts[i].grad;
    if (!g) throw new Error(`${c.name}: no gradient reached input ${c.inputs[i].name}`);
    const all = await g.read();
    const n = xs[i].length;
    const m = Math.min(n, c.fdMax ?? 300);
    // evenly spread indices (first and last included), so edge elements of every row/tile are visited
    const idx = Array.from({ length: m }, (_, k) => (m === 1 ? 0 : Math.round((k * (n - 1)) / (m - 1))));
    const got = idx.map((j) => all[j]);
    const fd = new Float64Array(m);
    const loss = () => {
      const out = c.ref(xs);
      let l = 0;
      for (let k = 0; k < out.length; k++) l += dyHost[k] * out[k];
      return l;
    };
    for (let q = 0; q < m; q++) {
      const j = idx[q];
      const v = xs[i][j];
      xs[i][j] = v + h;
      const lp = loss();
      xs[i][j] = v - h;
      const lm = loss();
      xs[i][j] = v;
      fd[q] = (lp - lm) / (2 * h);
    }
    assertClose(got, fd, `${c.name} d/d${c.inputs[i].name}`, c.gradRtol ?? c.rtol);
  }
  for (const t of ts) t.dispose();
}
