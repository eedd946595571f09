/**
 * Sample-quality statistics on feature vectors, in float64 on the host (pure: no GPU, no Node APIs).
 * Feature sets are row-major n×d matrices (one sample per row).
 *
 * - Fréchet distance (the FID formula on our classifier's features):
 *     ‖μa − μb‖² + tr(Σa + Σb − 2 (Σa^{1/2} Σb Σa^{1/2})^{1/2})
 *   The symmetric form needs only square roots of symmetric PSD matrices (cyclic Jacobi eigendecomposition),
 *   never the square root of the non-symmetric product ΣaΣb.
 * - Kernel Inception Distance: the unbiased MMD² with k(x, y) = (xᵀy/d + 1)³, averaged over random subsets.
 */
import { Rng } from '../util/rng.js';

type Matrix = ArrayLike<number>;

function checkFeatures(x: Matrix, d: number, what: string, min: number): number {
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`${what}: feature dimension must be a positive integer, got ${d}`);
  if (x.length % d !== 0) throw new RangeError(`${what}: ${x.length} values are not rows of ${d} features`);
  const n = x.length / d;
  if (n < min) throw new RangeError(`${what}: needs at least ${min} samples, got ${n}`);
  return n;
}

/** Column means (d) and the covariance (d×d, divided by n − 1) of an n×d matrix. */
export function meanAndCovariance(x: Matrix, d: number): { mean: Float64Array; cov: Float64Array } {
  const n = checkFeatures(x, d, 'covariance', 2);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = x[i * d + j] - mean[j];
    for (let j = 0; j < d; j++) {
      const r = row[j];
      if (r === 0) continue;
      for (let k = j; k < d; k++) cov[j * d + k] += r * row[k];
    }
  }
  for (let j = 0; j < d; j++) {
    for (let k = j; k < d; k++) {
      const v = cov[j * d + k] / (n - 1);
      cov[j * d + k] = v;
      cov[k * d + j] = v;
    }
  }
  return { mean, cov };
}

/**
 * Eigendecomposition of a symmetric d×d matrix by cyclic Jacobi rotations: A = V diag(values) Vᵀ, the
 * eigenvectors in the columns of V (row-major). Accurate to about machine precision relative to ‖A‖.
 */
export function symmetricEigen(A: Matrix, d: number): { values: Float64Array; vectors: Float64Array } {
  if (A.length !== d * d) throw new RangeError(`symmetricEigen: ${A.length} values are not a ${d}×${d} matrix`);
  const a = Float64Array.from(A);
  // use the symmetric part, so tiny asymmetries from rounding do not matter
  for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) a[p * d + q] = a[q * d + p] = 0.5 * (a[p * d + q] + a[q * d + p]);
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  let norm2 = 0;
  for (const x of a) norm2 += x * x;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += a[p * d + q] ** 2;
    if (off <= 1e-32 * norm2 || off === 0) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q];
        if (apq === 0) continue;
        // the rotation angle that zeroes a_pq: t = tan φ, the smaller root of t² + 2θt − 1 = 0
        const theta = (a[q * d + q] - a[p * d + p]) / (2 * apq);
        const t = Math.abs(theta) > 1e150 ? 1 / (2 * theta) : Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = a[k * d + p];
          const akq = a[k * d + q];
          a[k * d + p] = c * akp - s * akq;
          a[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p * d + k];
          const aqk = a[q * d + k];
          a[p * d + k] = c * apk - s * aqk;
          a[q * d + k] = s * apk + c * aqk;
        }
        a[p * d + q] = a[q * d + p] = 0;
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p];
          const vkq = v[k * d + q];
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(d);
  for (let i = 0; i < d; i++) values[i] = a[i * d + i];
  return { values, vectors: v };
}

/**
 * The principal square root S of a symmetric positive semi-definite d×d matrix A (S symmetric PSD,
 * S·S = A). Eigenvalues below zero — rounding in a covariance of rank < d — are clamped to 0.
 */
export function sqrtmSymmetric(A: Matrix, d: number): Float64Array {
  const { values, vectors: v } = symmetricEigen(A, d);
  const r = values.map((l) => Math.sqrt(Math.max(l, 0)));
  const s = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      let acc = 0;
      for (let k = 0; k < d; k++) acc += v[i * d + k] * r[k] * v[j * d + k];
      s[i * d + j] = acc;
      s[j * d + i] = acc;
    }
  }
  return s;
}

/** C = A·B for d×d matrices. */
function matmul(A: Matrix, B: Matrix, d: number): Float64Array {
  const c = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < d; k++) {
      const aik = A[i * d + k];
      if (aik === 0) continue;
      for (let j = 0; j < d; j++) c[i * d + j] += aik * B[k * d + j];
    }
  }
  return c;
}

/** Fréchet distance between Gaussians with these means and covariances (d features). */
export function frechetFromMoments(muA: Matrix, covA: Matrix, muB: Matrix, covB: Matrix, d: number): number {
  let meanTerm = 0;
  for (let j = 0; j < d; j++) meanTerm += (muA[j] - muB[j]) ** 2;
  const rootA = sqrtmSymmetric(covA, d);
  const m = matmul(matmul(rootA, covB, d), rootA, d);
  // tr((√Σa Σb √Σa)^{1/2}) is the sum of the square roots of its (non-negative) eigenvalues
  let trRoot = 0;
  for (const l of symmetricEigen(m, d).values) trRoot += Math.sqrt(Math.max(l, 0));
  let tr = 0;
  for (let j = 0; j < d; j++) tr += covA[j * d + j] + covB[j * d + j];
  // rounding can make the distance of a set to itself a hair below zero
  return Math.max(meanTerm + tr - 2 * trRoot, 0);
}

/** Fréchet distance of two feature sets a (nA×d) and b (nB×d), nA, nB ≥ 2, covariances with n − 1. */
export function frechetDistance(a: Matrix, b: Matrix, d: number): number {
  checkFeatures(a, d, 'frechetDistance (a)', 2);
  checkFeatures(b, d, 'frechetDistance (b)', 2);
  const A = meanAndCovariance(a, d);
  const B = meanAndCovariance(b, d);
  return frechetFromMoments(A.mean, A.cov, B.mean, B.cov, d);
}

export interface KidOptions {
  /** number of random subsets (default 100) */
  subsets?: number;
  /** samples per subset from each set, drawn without replacement (default min(1000, nA, nB)) */
  subsetSize?: number;
  /** seed of the subset draws (default 1) */
  seed?: number;
}

export interface KidResult {
  /** mean over subsets of the unbiased MMD² */
  kid: number;
  /** sample standard deviation (n − 1) of the per-subset MMD² values: the spread, as KID "std" is usually reported */
  kidStd: number;
  /** standard error of `kid`: kidStd / √subsets */
  kidStderr: number;
}

/** Gram-matrix entries beyond which kernels are computed per subset instead of cached (≈ 160 MB). */
const GRAM_LIMIT = 20_000_000;

/** k(x_i, y_j) = (x_iᵀ y_j / d + 1)³ */
function kernelAt(x: Float64Array, i: number, y: Float64Array, j: number, d: number): number {
  let dot = 0;
  const xi = i * d;
  const yj = j * d;
  for (let k = 0; k < d; k++) dot += x[xi + k] * y[yj + k];
  const t = dot / d + 1;
  return t * t * t;
}

/**
 * Kernel sums between the rows `ix` of x and `iy` of y: over i < j when x and y are the same set (the
 * off-diagonal pairs once), over all (i, j) otherwise. `gram` (nx×ny kernels), when given, is looked up.
 */
function kernelSum(x: Float64Array, ix: Uint32Array, y: Float64Array, iy: Uint32Array, d: number, same: boolean, gram: Float64Array | null, ny: number): number {
  let total = 0;
  const m = ix.length;
  for (let i = 0; i < m; i++) {
    const row = ix[i] * ny;
    let acc = 0;
    for (let j = same ? i + 1 : 0; j < m; j++) acc += gram ? gram[row + iy[j]] : kernelAt(x, ix[i], y, iy[j], d);
    total += acc;
  }
  return total;
}

/** All kernels between rows of x (nx) and y (ny), or null when that would take too much memory. */
function gramMatrix(x: Float64Array, nx: number, y: Float64Array, ny: number, d: number): Float64Array | null {
  if (nx * ny > GRAM_LIMIT) return null;
  const g = new Float64Array(nx * ny);
  const same = x === y;
  for (let i = 0; i < nx; i++) {
    for (let j = same ? i : 0; j < ny; j++) {
      const k = kernelAt(x, i, y, j, d);
      g[i * ny + j] = k;
      if (same) g[j * ny + i] = k;
    }
  }
  return g;
}

/** m distinct indices from [0, n) (a partial Fisher–Yates shuffle). */
function draw(rng: Rng, n: number, m: number, scratch: Uint32Array): Uint32Array {
  for (let i = 0; i < n; i++) scratch[i] = i;
  for (let i = 0; i < m; i++) {
    const j = i + rng.nextInt(n - i);
    const t = scratch[i];
    scratch[i] = scratch[j];
    scratch[j] = t;
  }
  return scratch.subarray(0, m);
}

/**
 * Kernel Inception Distance of feature sets a (nA×d) and b (nB×d): for each of `subsets` random subsets
 * of m rows from each set, the unbiased MMD² estimate
 *   1/(m(m−1)) Σ_{i≠j} k(aᵢ,aⱼ) + 1/(m(m−1)) Σ_{i≠j} k(bᵢ,bⱼ) − 2/m² Σ_{i,j} k(aᵢ,bⱼ)
 * with k(x, y) = (xᵀy/d + 1)³. Returns the mean (`kid`), the standard deviation over subsets (`kidStd`)
 * and the standard error of the mean (`kidStderr` = kidStd/√subsets). The estimate is unbiased, so it
 * can be slightly negative for sets from the same distribution.
 */
export function kernelInceptionDistance(a: Matrix, b: Matrix, d: number, o: KidOptions = {}): KidResult {
  const nA = checkFeatures(a, d, 'kernelInceptionDistance (a)', 2);
  const nB = checkFeatures(b, d, 'kernelInceptionDistance (b)', 2);
  const subsets = o.subsets ?? 100;
  const m = o.subsetSize ?? Math.min(1000, nA, nB);
  if (!Number.isInteger(subsets) || subsets < 1) throw new RangeError(`kernelInceptionDistance: subsets must be a positive integer, got ${subsets}`);
  if (!Number.isInteger(m) || m < 2 || m > Math.min(nA, nB)) {
    throw new RangeError(`kernelInceptionDistance: subset size must be an integer from 2 to min(nA, nB) = ${Math.min(nA, nB)}, got ${m}`);
  }
  // float64 copies: exact products of f32 features, and one array type for the hot loops
  const x = Float64Array.from(a);
  const y = Float64Array.from(b);
  const gxx = gramMatrix(x, nA, x, nA, d);
  const gyy = gramMatrix(y, nB, y, nB, d);
  const gxy = gramMatrix(x, nA, y, nB, d);
  const rng = new Rng(o.seed ?? 1);
  const sa = new Uint32Array(nA);
  const sb = new Uint32Array(nB);
  const values = new Float64Array(subsets);
  for (let s = 0; s < subsets; s++) {
    // sorted: the same sums, with Gram lookups walking memory in order
    const ia = draw(rng, nA, m, sa).sort();
    const ib = draw(rng, nB, m, sb).sort();
    const xx = kernelSum(x, ia, x, ia, d, true, gxx, nA);
    const yy = kernelSum(y, ib, y, ib, d, true, gyy, nB);
    const xy = kernelSum(x, ia, y, ib, d, false, gxy, nB);
    // the i<j sums count each off-diagonal pair once: ×2
    values[s] = (2 * (xx + yy)) / (m * (m - 1)) - (2 * xy) / (m * m);
  }
  let mean = 0;
  for (const v of values) mean += v;
  mean /= subsets;
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  const std = subsets > 1 ? Math.sqrt(ss / (subsets - 1)) : 0;
  return { kid: mean, kidStd: std, kidStderr: std / Math.sqrt(subsets) };
}
