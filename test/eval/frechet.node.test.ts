import { describe, expect, it } from 'vitest';
import { EvalInputError } from '../../src/eval/errors.js';
import { featureFrechetDistance, fitGaussian, frechetDistance, symmetricEigen, traceSqrtProduct, type GaussianFit } from '../../src/eval/frechet.js';
import { ShapeError } from '../../src/gpu/errors.js';
import { Rng } from '../helpers/random.js';
import { readSafetensorsFile } from '../helpers/safetensors.js';

/** A random orthogonal matrix [n, n] (Gram–Schmidt on Gaussian columns), row-major. */
function orthogonal(rng: Rng, n: number): Float64Array {
  const q = Float64Array.from({ length: n * n }, () => rng.normal());
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += q[i * n + j] * q[i * n + k];
      for (let i = 0; i < n; i++) q[i * n + j] -= dot * q[i * n + k];
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += q[i * n + j] ** 2;
    for (let i = 0; i < n; i++) q[i * n + j] /= Math.sqrt(norm);
  }
  return q;
}

/** Q diag(d) Qᵀ */
function withSpectrum(q: Float64Array, d: number[]): Float64Array {
  const n = d.length;
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) m[i * n + j] += q[i * n + k] * d[k] * q[j * n + k];
  return m;
}

function matmul(x: Float64Array, y: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) out[i * n + j] += x[i * n + k] * y[k * n + j];
  return out;
}

function inverse(m: Float64Array, n: number): Float64Array {
  // Gauss–Jordan with partial pivoting on [m | I].
  const a = Array.from({ length: n }, (_, i) => [...Array.from(m.subarray(i * n, i * n + n)), ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    [a[c], a[p]] = [a[p], a[c]];
    const pivot = a[c][c];
    for (let j = 0; j < 2 * n; j++) a[c][j] /= pivot;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r][c];
      for (let j = 0; j < 2 * n; j++) a[r][j] -= f * a[c][j];
    }
  }
  return Float64Array.from(a.flatMap((row) => row.slice(n)));
}

/** tr sqrtm(M) by the Denman–Beavers iteration (M need not be symmetric): independent of the eigensolver. */
function traceSqrtDenmanBeavers(m: Float64Array, n: number): number {
  let y = Float64Array.from(m);
  let z = new Float64Array(n * n);
  for (let i = 0; i < n; i++) z[i * n + i] = 1;
  for (let it = 0; it < 60; it++) {
    const yi = inverse(y, n);
    const zi = inverse(z, n);
    y = y.map((v, i) => (v + zi[i]) / 2);
    z = z.map((v, i) => (v + yi[i]) / 2);
  }
  let trace = 0;
  for (let i = 0; i < n; i++) trace += y[i * n + i];
  return trace;
}

function fit(mean: number[], covariance: Float64Array): GaussianFit {
  return { dim: mean.length, count: 100, mean: Float64Array.from(mean), covariance };
}

describe('symmetric eigendecomposition (Jacobi)', () => {
  it('recovers a chosen spectrum (repeated, zero and negative eigenvalues) with orthonormal vectors', () => {
    const rng = new Rng(3);
    for (const n of [1, 2, 5, 17, 40]) {
      const spectrum = Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 0 : i % 4 === 1 ? 2.5 : rng.uniform(-3, 10)));
      const a = withSpectrum(orthogonal(rng, n), spectrum);
      const { values, vectors } = symmetricEigen(a, n);
      const sorted = (xs: ArrayLike<number>) => Array.from(xs).sort((x, y) => x - y);
      sorted(values).forEach((v, i) => expect(v).toBeCloseTo(sorted(spectrum)[i], 11));
      // A V = V Λ and Vᵀ V = I
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < n; k++) {
          let av = 0;
          let vv = 0;
          for (let j = 0; j < n; j++) {
            av += a[i * n + j] * vectors[j * n + k];
            vv += vectors[j * n + i] * vectors[j * n + k];
          }
          expect(av).toBeCloseTo(values[k] * vectors[i * n + k], 11);
          expect(vv).toBeCloseTo(i === k ? 1 : 0, 12);
        }
      }
    }
  });

  it('rejects a matrix of the wrong size or with NaN', () => {
    expect(() => symmetricEigen(new Float64Array(5), 2)).toThrow(ShapeError);
    expect(() => symmetricEigen(Float64Array.from([1, NaN, NaN, 1]), 2)).toThrow(EvalInputError);
  });
});

describe('Fréchet distance', () => {
  it('equals the closed form |Δμ|² + Σ(√a − √b)² for commuting covariances (shared eigenvectors)', () => {
    const rng = new Rng(11);
    for (const [n, singular] of [[1, false], [3, true], [12, false], [12, true], [33, true]] as const) {
      const q = orthogonal(rng, n);
      const da = Array.from({ length: n }, (_, i) => (singular && i === 0 ? 0 : rng.uniform(0.05, 4)));
      const db = Array.from({ length: n }, () => rng.uniform(0, 4));
      const ma = Array.from({ length: n }, () => rng.normal());
      const mb = Array.from({ length: n }, () => rng.normal());
      let expected = 0;
      for (let i = 0; i < n; i++) expected += (ma[i] - mb[i]) ** 2 + (Math.sqrt(da[i]) - Math.sqrt(db[i])) ** 2;
      const fd = frechetDistance(fit(ma, withSpectrum(q, da)), fit(mb, withSpectrum(q, db)));
      // A zero eigenvalue comes out as ±ulp·‖Σ‖, and its square root as ~1e-8: inherent to √.
      expect(Math.abs(fd - expected)).toBeLessThan((singular ? 1e-7 : 1e-11) * (1 + expected));
    }
  });

  it('equals the 2×2 closed form tr √(AB) = √(tr AB + 2√(det A det B)) for non-commuting covariances', () => {
    const rng = new Rng(12);
    for (let trial = 0; trial < 20; trial++) {
      const spd = () => {
        const [p, q, r] = [rng.normal(), rng.normal(), rng.normal()];
        return Float64Array.from([p * p + 0.1, p * q, p * q, q * q + r * r + 0.1]);
      };
      const a = spd();
      const b = spd();
      const ab = matmul(a, b, 2);
      const det = (m: Float64Array) => m[0] * m[3] - m[1] * m[2];
      const expected = Math.sqrt(ab[0] + ab[3] + 2 * Math.sqrt(det(a) * det(b)));
      expect(traceSqrtProduct(a, b, 2)).toBeCloseTo(expected, 12);
      const fd = frechetDistance(fit([0, 1], a), fit([1, -1], b));
      expect(fd).toBeCloseTo(1 + 4 + a[0] + a[3] + b[0] + b[3] - 2 * expected, 11);
    }
  });

  it('matches the Denman–Beavers square root of Σ₁Σ₂ on random full-rank covariances', () => {
    const rng = new Rng(13);
    for (const n of [4, 9, 20]) {
      const a = withSpectrum(orthogonal(rng, n), Array.from({ length: n }, () => rng.uniform(0.2, 3)));
      const b = withSpectrum(orthogonal(rng, n), Array.from({ length: n }, () => rng.uniform(0.2, 3)));
      expect(traceSqrtProduct(a, b, n)).toBeCloseTo(traceSqrtDenmanBeavers(matmul(a, b, n), n), 9);
    }
  });

  it('matches numpy on the committed fixture (correlated, rank-deficient and ReLU-like features)', () => {
    const { metadata, tensors } = readSafetensorsFile('test/fixtures/frechet/io.safetensors');
    const set = (name: string) => {
      const t = tensors.get(name)!;
      return [t.data, t.shape[0], t.shape[1]] as const;
    };
    const fd = (x: string, y: string) => {
      const [dx, nx, dim] = set(x);
      const [dy, ny] = set(y);
      return featureFrechetDistance(dx, nx, dy, ny, dim);
    };
    for (const [x, y] of [['a', 'b'], ['a', 'c'], ['b', 'c'], ['r', 's']]) {
      const expected = Number(metadata[`fd_${x}${y}`]);
      expect(Math.abs(fd(x, y) - expected), `${x} vs ${y}`).toBeLessThan(1e-7 * expected);
    }
  });

  it('is ~0 for identical sets, symmetric, and adds |c|² when one set is shifted by c', () => {
    const rng = new Rng(14);
    const [n, dim] = [60, 24]; // n > dim, and below: n < dim (rank-deficient)
    const x = Float32Array.from({ length: n * dim }, () => Math.max(0, rng.normal()));
    const y = Float32Array.from({ length: n * dim }, () => Math.max(0, rng.normal() + 0.2));
    const a = fitGaussian(x, n, dim);
    const b = fitGaussian(y, n, dim);
    let trace = 0;
    for (let i = 0; i < dim; i++) trace += a.covariance[i * dim + i];
    expect(frechetDistance(a, a)).toBeLessThan(1e-12 * trace);
    expect(frechetDistance(a, b)).toBeCloseTo(frechetDistance(b, a), 10);
    const shift = Array.from({ length: dim }, () => rng.normal());
    const shifted = x.map((v, i) => v + shift[i % dim]);
    const c2 = shift.reduce((s, v) => s + v * v, 0);
    expect(featureFrechetDistance(x, n, shifted, n, dim)).toBeCloseTo(c2, 4); // f32 features
    const few = fitGaussian(x.subarray(0, 10 * dim), 10, dim);
    const fd = frechetDistance(few, few);
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(fd).toBeLessThan(1e-7 * trace);
  });

  it('fits the unbiased covariance and the mean', () => {
    // Samples (1, 2), (3, 0), (5, 4): mean (3, 2); deviations (−2, 0), (0, −2), (2, 2).
    const f = fitGaussian([1, 2, 3, 0, 5, 4], 3, 2);
    expect(Array.from(f.mean)).toEqual([3, 2]);
    expect(Array.from(f.covariance)).toEqual([4, 2, 2, 4]); // sums 8, 4, 8 over n − 1 = 2
  });

  it('rejects mismatched shapes, too few samples and non-finite features', () => {
    expect(() => fitGaussian(new Float32Array(10), 3, 3)).toThrow(/expected 3×3 = 9/);
    expect(() => fitGaussian(new Float32Array(3), 1, 3)).toThrow(/at least 2/);
    expect(() => fitGaussian([0, NaN, 1, 2], 2, 2)).toThrow(EvalInputError);
    const a = fitGaussian([0, 1, 2, 3], 2, 2);
    const b = fitGaussian([0, 1, 2, 3, 4, 5], 2, 3);
    expect(() => frechetDistance(a, b)).toThrow(/dimension 2 and 3/);
  });
});
