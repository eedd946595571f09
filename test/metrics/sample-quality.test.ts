/**
 * FD and KID against float64 references computed here by other routes: closed forms for d = 1 and 2, the
 * Denman–Beavers iteration for √(ΣaΣb) (the non-symmetric product the symmetric formulation avoids), and
 * a naive double loop for the MMD².
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.js';
import {
  frechetDistance, kernelInceptionDistance, meanAndCovariance, sqrtmSymmetric, symmetricEigen,
} from '../../src/metrics/sample-quality.js';

/** n×d samples of N(mean, L Lᵀ) with a random mixing L (correlated features). */
function gaussianSet(seed: number, n: number, d: number, shift = 0, scale = 1): Float64Array {
  const rng = new Rng(seed);
  const mix = Float64Array.from({ length: d * d }, (_, i) => (i % (d + 1) === 0 ? 1 : 0.3 * rng.normal()));
  const x = new Float64Array(n * d);
  const z = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) z[k] = rng.normal();
    for (let j = 0; j < d; j++) {
      let v = 0;
      for (let k = 0; k < d; k++) v += mix[j * d + k] * z[k];
      x[i * d + j] = shift + scale * v;
    }
  }
  return x;
}

function mm(a: ArrayLike<number>, b: ArrayLike<number>, d: number): Float64Array {
  const c = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let k = 0; k < d; k++) for (let j = 0; j < d; j++) c[i * d + j] += a[i * d + k] * b[k * d + j];
  return c;
}

/** Gauss–Jordan inverse with partial pivoting. */
function inverse(a: ArrayLike<number>, d: number): Float64Array {
  const m = Float64Array.from(a);
  const inv = new Float64Array(d * d);
  for (let i = 0; i < d; i++) inv[i * d + i] = 1;
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(m[r * d + c]) > Math.abs(m[p * d + c])) p = r;
    for (let k = 0; k < d; k++) {
      [m[c * d + k], m[p * d + k]] = [m[p * d + k], m[c * d + k]];
      [inv[c * d + k], inv[p * d + k]] = [inv[p * d + k], inv[c * d + k]];
    }
    const piv = m[c * d + c];
    for (let k = 0; k < d; k++) {
      m[c * d + k] /= piv;
      inv[c * d + k] /= piv;
    }
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const f = m[r * d + c];
      for (let k = 0; k < d; k++) {
        m[r * d + k] -= f * m[c * d + k];
        inv[r * d + k] -= f * inv[c * d + k];
      }
    }
  }
  return inv;
}

/** tr √(ΣaΣb) by the Denman–Beavers iteration (Y → √A, Z → A⁻¹ᐟ²), as scipy's sqrtm-based FID code does. */
function traceSqrtProduct(covA: Float64Array, covB: Float64Array, d: number): number {
  let y = mm(covA, covB, d);
  let z = new Float64Array(d * d);
  for (let i = 0; i < d; i++) z[i * d + i] = 1;
  for (let it = 0; it < 60; it++) {
    const yi = inverse(y, d);
    const zi = inverse(z, d);
    y = y.map((v, i) => 0.5 * (v + zi[i]));
    z = z.map((v, i) => 0.5 * (v + yi[i]));
  }
  let t = 0;
  for (let i = 0; i < d; i++) t += y[i * d + i];
  return t;
}

function fdByDenmanBeavers(a: Float64Array, b: Float64Array, d: number): number {
  const A = meanAndCovariance(a, d);
  const B = meanAndCovariance(b, d);
  let fd = 0;
  for (let j = 0; j < d; j++) fd += (A.mean[j] - B.mean[j]) ** 2 + A.cov[j * d + j] + B.cov[j * d + j];
  return fd - 2 * traceSqrtProduct(A.cov, B.cov, d);
}

/** Naive moments with two passes (a different summation from meanAndCovariance's). */
function moments(x: Float64Array, d: number) {
  const n = x.length / d;
  const mu = Array.from({ length: d }, (_, j) => x.filter((_, i) => i % d === j).reduce((s, v) => s + v, 0) / n);
  const cov = (j: number, k: number) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += (x[i * d + j] - mu[j]) * (x[i * d + k] - mu[k]);
    return s / (n - 1);
  };
  return { mu, cov };
}

function close(got: number, want: number, rtol: number, label: string): void {
  expect(Math.abs(got - want), `${label}: got ${got}, want ${want}`).toBeLessThanOrEqual(rtol * Math.max(Math.abs(want), 1e-12));
}

describe('symmetric matrix square root', () => {
  it('is exact on a diagonal matrix and on a hand-checked 2×2', () => {
    const diag = sqrtmSymmetric([4, 0, 0, 0, 9, 0, 0, 0, 0.25], 3);
    expect([...diag].map((v) => +v.toFixed(14))).toEqual([2, 0, 0, 0, 3, 0, 0, 0, 0.5]);
    // [[2,1],[1,2]] has eigenvalues 3 and 1 with eigenvectors (1,1)/√2 and (1,−1)/√2
    const r3 = Math.sqrt(3);
    const s = sqrtmSymmetric([2, 1, 1, 2], 2);
    const want = [(r3 + 1) / 2, (r3 - 1) / 2, (r3 - 1) / 2, (r3 + 1) / 2];
    s.forEach((v, i) => close(v, want[i], 1e-14, `2×2 [${i}]`));
  });

  it('S·S = A for a random 40×40 covariance, and S is symmetric', () => {
    const d = 40;
    const { cov } = meanAndCovariance(gaussianSet(3, 200, d), d);
    const s = sqrtmSymmetric(cov, d);
    const ss = mm(s, s, d);
    const scale = Math.max(...cov.map(Math.abs));
    for (let i = 0; i < d * d; i++) expect(Math.abs(ss[i] - cov[i])).toBeLessThan(1e-12 * scale);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) expect(s[i * d + j]).toBe(s[j * d + i]);
  });

  it('clamps the tiny negative eigenvalues of a rank-deficient covariance to 0', () => {
    // 5 samples in 12 dimensions: rank ≤ 4
    const d = 12;
    const { cov } = meanAndCovariance(gaussianSet(4, 5, d), d);
    const { values } = symmetricEigen(cov, d);
    expect(values.filter((l) => Math.abs(l) > 1e-9).length).toBe(4);
    const s = sqrtmSymmetric(cov, d);
    expect(s.every(Number.isFinite)).toBe(true);
    const ss = mm(s, s, d);
    for (let i = 0; i < d * d; i++) expect(Math.abs(ss[i] - cov[i])).toBeLessThan(1e-7);
  });

  it('recovers eigenpairs: A v = λ v', () => {
    const d = 9;
    const { cov } = meanAndCovariance(gaussianSet(5, 50, d), d);
    const { values, vectors } = symmetricEigen(cov, d);
    for (let k = 0; k < d; k++) {
      for (let i = 0; i < d; i++) {
        let av = 0;
        for (let j = 0; j < d; j++) av += cov[i * d + j] * vectors[j * d + k];
        expect(Math.abs(av - values[k] * vectors[i * d + k])).toBeLessThan(1e-12);
      }
    }
  });
});

describe('Fréchet distance', () => {
  it('is 0 for a set with itself', () => {
    const a = gaussianSet(1, 300, 16);
    expect(frechetDistance(a, a, 16)).toBeLessThan(1e-9);
  });

  it('matches the closed form for d = 1: (μa−μb)² + (σa−σb)²', () => {
    const a = gaussianSet(1, 500, 1, 0.5, 2);
    const b = gaussianSet(2, 300, 1, -1, 0.7);
    const A = moments(a, 1);
    const B = moments(b, 1);
    const want = (A.mu[0] - B.mu[0]) ** 2 + (Math.sqrt(A.cov(0, 0)) - Math.sqrt(B.cov(0, 0))) ** 2;
    close(frechetDistance(a, b, 1), want, 1e-12, 'd=1');
  });

  it('matches the closed form for d = 2: tr √(ΣaΣb) = √(tr ΣaΣb + 2√(det Σa det Σb))', () => {
    const a = gaussianSet(3, 400, 2, 0.2);
    const b = gaussianSet(4, 250, 2, -0.3, 1.5);
    const A = moments(a, 2);
    const B = moments(b, 2);
    const [a00, a01, a11] = [A.cov(0, 0), A.cov(0, 1), A.cov(1, 1)];
    const [b00, b01, b11] = [B.cov(0, 0), B.cov(0, 1), B.cov(1, 1)];
    const trProd = a00 * b00 + 2 * a01 * b01 + a11 * b11;
    const trRoot = Math.sqrt(trProd + 2 * Math.sqrt((a00 * a11 - a01 * a01) * (b00 * b11 - b01 * b01)));
    const want = (A.mu[0] - B.mu[0]) ** 2 + (A.mu[1] - B.mu[1]) ** 2 + a00 + a11 + b00 + b11 - 2 * trRoot;
    close(frechetDistance(a, b, 2), want, 1e-12, 'd=2');
  });

  it('matches √(ΣaΣb) by Denman–Beavers for d = 6 and 20', () => {
    for (const d of [6, 20]) {
      const a = gaussianSet(10 + d, 400, d);
      const b = gaussianSet(20 + d, 300, d, 0.1, 1.3);
      close(frechetDistance(a, b, d), fdByDenmanBeavers(a, b, d), 1e-9, `d=${d}`);
    }
  });

  it('grows with added noise (3 levels)', () => {
    const d = 8;
    const a = gaussianSet(7, 500, d);
    const noise = gaussianSet(8, 500, d);
    const fds = [0.25, 0.5, 1].map((s) => frechetDistance(a, a.map((v, i) => v + s * noise[i]), d));
    expect(fds[0]).toBeGreaterThan(0);
    expect(fds[1]).toBeGreaterThan(fds[0]);
    expect(fds[2]).toBeGreaterThan(fds[1]);
  });

  it('rejects bad shapes', () => {
    expect(() => frechetDistance([1, 2, 3], [1, 2], 2)).toThrow(/3 values are not rows of 2 features/);
    expect(() => frechetDistance([1, 2], [1, 2, 3, 4], 2)).toThrow(/at least 2 samples, got 1/);
  });
});

describe('kernel inception distance', () => {
  /** the unbiased MMD² with (xᵀy/d + 1)³ over all rows, by a plain double loop */
  function mmdNaive(a: Float64Array, b: Float64Array, d: number): number {
    const k = (x: Float64Array, i: number, y: Float64Array, j: number) => {
      let s = 0;
      for (let t = 0; t < d; t++) s += x[i * d + t] * y[j * d + t];
      return (s / d + 1) ** 3;
    };
    const m = a.length / d;
    let xx = 0;
    let yy = 0;
    let xy = 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        if (i !== j) {
          xx += k(a, i, a, j);
          yy += k(b, i, b, j);
        }
        xy += k(a, i, b, j);
      }
    }
    return xx / (m * (m - 1)) + yy / (m * (m - 1)) - (2 * xy) / (m * m);
  }

  it('with one subset of every row equals the naive unbiased MMD²', () => {
    const d = 5;
    const a = gaussianSet(1, 60, d);
    const b = gaussianSet(2, 60, d, 0.4, 1.2);
    const r = kernelInceptionDistance(a, b, d, { subsets: 3, subsetSize: 60 });
    close(r.kid, mmdNaive(a, b, d), 1e-12, 'kid');
    expect(r.kidStd).toBeLessThan(1e-12 * Math.abs(r.kid)); // every subset is the whole set
  });

  it('averages subsets: mean and spread match the per-subset naive values', () => {
    const d = 4;
    const a = gaussianSet(3, 80, d);
    const b = gaussianSet(4, 70, d, 0.3);
    const r = kernelInceptionDistance(a, b, d, { subsets: 10, subsetSize: 30, seed: 7 });
    expect(r.kid).toBeGreaterThan(0);
    expect(r.kidStd).toBeGreaterThan(0);
    close(r.kidStderr, r.kidStd / Math.sqrt(10), 1e-12, 'stderr');
    // the same seed gives the same subsets
    expect(kernelInceptionDistance(a, b, d, { subsets: 10, subsetSize: 30, seed: 7 })).toEqual(r);
  });

  it('is ≈ 0 within its error for two samples of one distribution, clearly positive for shifted ones', () => {
    const d = 8;
    // two halves of one draw (the mixing matrix depends on the seed, so two seeds are two distributions)
    const all = gaussianSet(11, 800, d);
    const a1 = all.subarray(0, 400 * d);
    const a2 = all.subarray(400 * d);
    const r = kernelInceptionDistance(a1, a2, d, { subsets: 50, subsetSize: 200 });
    expect(Math.abs(r.kid)).toBeLessThan(3 * r.kidStd);
    const shifted = kernelInceptionDistance(a1, a2.map((v) => v + 0.5), d, { subsets: 50, subsetSize: 200 });
    expect(shifted.kid).toBeGreaterThan(10 * shifted.kidStderr);
  });

  it('defaults to 100 subsets of min(1000, nA, nB) and rejects bad options', () => {
    const a = gaussianSet(1, 30, 3);
    const b = gaussianSet(2, 20, 3);
    const r = kernelInceptionDistance(a, b, 3);
    close(r.kidStderr, r.kidStd / 10, 1e-12, 'stderr of 100 subsets');
    expect(() => kernelInceptionDistance(a, b, 3, { subsetSize: 21 })).toThrow(/subset size must be an integer from 2 to min\(nA, nB\) = 20/);
    expect(() => kernelInceptionDistance(a, b, 3, { subsets: 0 })).toThrow(/subsets must be a positive integer/);
  });
});
