/**
 * Fréchet distance between Gaussian fits of two feature sets (the FID formula, on features of
 * our own classifier, so it is called FD):
 *   FD = |μ₁ − μ₂|² + tr Σ₁ + tr Σ₂ − 2 tr (Σ₁ Σ₂)^{1/2}.
 * tr (Σ₁Σ₂)^{1/2} is computed stably from symmetric matrices only: Σ₁^{1/2} from a Jacobi
 * eigendecomposition of Σ₁, then the eigenvalues of Σ₁^{1/2} Σ₂ Σ₁^{1/2} (similar to Σ₁Σ₂, but
 * symmetric positive semi-definite), each clamped at 0 before its square root. Everything is
 * float64. Plain TypeScript, browser-safe.
 */
import { ShapeError } from '../gpu/errors.js';
import { EvalInputError } from './errors.js';

export interface GaussianFit {
  dim: number;
  /** Samples the fit was made from. */
  count: number;
  /** [dim] */
  mean: Float64Array;
  /** [dim, dim], row-major, unbiased (divided by count − 1). */
  covariance: Float64Array;
}

/** Mean and unbiased covariance of `count` feature vectors [count, dim] (two passes: mean first). */
export function fitGaussian(features: ArrayLike<number>, count: number, dim: number): GaussianFit {
  if (!Number.isInteger(dim) || dim < 1) throw new ShapeError(`fitGaussian: dim ${dim} is not a positive integer`);
  if (!Number.isInteger(count) || count < 2) throw new ShapeError(`fitGaussian: ${count} samples; an unbiased covariance needs at least 2`);
  if (features.length !== count * dim) throw new ShapeError(`fitGaussian: features hold ${features.length} values, expected ${count}×${dim} = ${count * dim}`);
  const mean = new Float64Array(dim);
  for (let s = 0; s < count; s++) for (let i = 0; i < dim; i++) mean[i] += features[s * dim + i];
  for (let i = 0; i < dim; i++) {
    mean[i] /= count;
    if (!Number.isFinite(mean[i])) throw new EvalInputError(`fitGaussian: feature ${i} has non-finite values (NaN or ±Infinity)`);
  }
  const covariance = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let s = 0; s < count; s++) {
    for (let i = 0; i < dim; i++) centred[i] = features[s * dim + i] - mean[i];
    for (let i = 0; i < dim; i++) {
      const ci = centred[i];
      if (ci === 0) continue; // dead ReLU units: 0 in every sample
      const row = i * dim;
      for (let j = i; j < dim; j++) covariance[row + j] += ci * centred[j];
    }
  }
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      const v = covariance[i * dim + j] / (count - 1);
      covariance[i * dim + j] = v;
      covariance[j * dim + i] = v;
    }
  }
  return { dim, count, mean, covariance };
}

/** Fréchet distance between two Gaussian fits of the same dimension (≥ 0). */
export function frechetDistance(a: GaussianFit, b: GaussianFit): number {
  if (a.dim !== b.dim) throw new ShapeError(`frechetDistance: fits of dimension ${a.dim} and ${b.dim}`);
  const n = a.dim;
  checkFit(a, 'first');
  checkFit(b, 'second');
  let meanTerm = 0;
  for (let i = 0; i < n; i++) meanTerm += (a.mean[i] - b.mean[i]) ** 2;
  let traces = 0;
  for (let i = 0; i < n; i++) traces += a.covariance[i * n + i] + b.covariance[i * n + i];
  return Math.max(0, meanTerm + traces - 2 * traceSqrtProduct(a.covariance, b.covariance, n));
}

/** FD of two feature sets [countA, dim] and [countB, dim]. */
export function featureFrechetDistance(a: ArrayLike<number>, countA: number, b: ArrayLike<number>, countB: number, dim: number): number {
  return frechetDistance(fitGaussian(a, countA, dim), fitGaussian(b, countB, dim));
}

/** tr (A B)^{1/2} for symmetric positive semi-definite A, B [n, n]. */
export function traceSqrtProduct(a: Float64Array, b: Float64Array, n: number): number {
  const rootA = symmetricSqrt(a, n);
  const m = symmetrize(multiply(multiply(rootA, b, n), rootA, n), n);
  let trace = 0;
  for (const lambda of symmetricEigen(m, n).values) trace += Math.sqrt(Math.max(0, lambda));
  return trace;
}

/** The PSD square root V diag(√max(λ, 0)) Vᵀ of a symmetric matrix [n, n]. */
export function symmetricSqrt(matrix: Float64Array, n: number): Float64Array {
  const { values, vectors } = symmetricEigen(matrix, n);
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const root = Math.sqrt(Math.max(0, values[k]));
    if (root === 0) continue;
    for (let i = 0; i < n; i++) {
      const vik = vectors[i * n + k] * root;
      if (vik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += vik * vectors[j * n + k];
    }
  }
  return symmetrize(out, n);
}

/**
 * Eigendecomposition of a symmetric matrix [n, n] (row-major; only symmetric input is
 * meaningful) by cyclic Jacobi rotations: A = V diag(values) Vᵀ, eigenvectors in the columns of
 * `vectors` [n, n], values unsorted. Every eigenvalue is accurate to a few ulps of ‖A‖ (so
 * the near-zero ones of a rank-deficient covariance may come out slightly negative).
 */
export function symmetricEigen(matrix: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  if (matrix.length !== n * n) throw new ShapeError(`symmetricEigen: matrix holds ${matrix.length} values, expected ${n}×${n}`);
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let norm = 0;
  for (let i = 0; i < n * n; i++) norm += a[i] * a[i];
  if (!Number.isFinite(norm)) throw new EvalInputError('symmetricEigen: the matrix has non-finite values');
  // Done when the off-diagonal part is below an ulp of ‖A‖; elements far below that are skipped.
  const tiny = Number.EPSILON * Number.EPSILON * norm;
  const negligible = tiny / (n * n);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
    if (off <= tiny) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq * apq <= negligible) continue;
        // Rotation that zeroes a[p][q]: t = tan φ, the smaller root of t² + 2θt − 1 = 0.
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a[i * n + i];
  return { values, vectors: v };
}

function checkFit(f: GaussianFit, which: string): void {
  if (f.mean.length !== f.dim || f.covariance.length !== f.dim * f.dim) {
    throw new ShapeError(`frechetDistance: the ${which} fit has a mean of ${f.mean.length} and a covariance of ${f.covariance.length} values for dim ${f.dim}`);
  }
}

function multiply(x: Float64Array, y: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const xik = x[i * n + k];
      if (xik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += xik * y[k * n + j];
    }
  }
  return out;
}

/** (M + Mᵀ) / 2 in place: removes the round-off asymmetry before a symmetric eigensolve. */
function symmetrize(m: Float64Array, n: number): Float64Array {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const avg = (m[i * n + j] + m[j * n + i]) / 2;
      m[i * n + j] = avg;
      m[j * n + i] = avg;
    }
  }
  return m;
}
