/** Small statistics for the report: mean, sample standard deviation, and a ratio of means with a 95% interval. */

export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN;
}

/** Sample standard deviation (n − 1); 0 for a single value, NaN for none. */
export function std(xs: readonly number[]): number {
  if (xs.length < 2) return xs.length ? 0 : NaN;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

// two-sided 95% quantiles of Student's t for 1..30 degrees of freedom
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

/** t_{0.975, df} (df may be fractional: rounded down, the conservative side); 1.96 beyond 30. */
export function t975(df: number): number {
  if (!(df >= 1)) return NaN;
  const k = Math.floor(df);
  return k <= 30 ? T975[k - 1] : 1.96;
}

export interface RatioInterval {
  ratio: number;
  low: number;
  high: number;
  method: string;
}

/**
 * mean(a)/mean(b) with a 95% interval from the delta method on the log ratio, with Welch–Satterthwaite
 * degrees of freedom: se² = s_a²/(n_a·m_a²) + s_b²/(n_b·m_b²). Independent runs (seeds) on each side.
 * With a single run on either side the interval is unknown (NaN).
 */
export function ratioOfMeans(a: readonly number[], b: readonly number[]): RatioInterval {
  const method = 'ratio of means over seeds; 95% interval: delta method on log(ratio), Welch–Satterthwaite t';
  const [ma, mb] = [mean(a), mean(b)];
  const ratio = ma / mb;
  if (a.length < 2 || b.length < 2) return { ratio, low: NaN, high: NaN, method };
  const va = std(a) ** 2 / (a.length * ma * ma);
  const vb = std(b) ** 2 / (b.length * mb * mb);
  const se = Math.sqrt(va + vb);
  if (se === 0) return { ratio, low: ratio, high: ratio, method };
  const df = (va + vb) ** 2 / (va * va / (a.length - 1) + vb * vb / (b.length - 1));
  const f = Math.exp(t975(df) * se);
  return { ratio, low: ratio / f, high: ratio * f, method };
}
