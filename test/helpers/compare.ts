/**
 * Tolerance checks for GPU results against f64 references. A mismatch throws with the worst
 * element, its index and both values, so a failing kernel test says where it went wrong.
 */
export interface Tolerance {
  /** Absolute tolerance. */
  atol: number;
  /** Relative tolerance, against |expected|. */
  rtol: number;
  /** Optional: tolerance relative to the largest |expected| (for outputs that cancel). */
  scaleTol?: number;
}

export const F32_TOL: Tolerance = { atol: 1e-5, rtol: 1e-4 };
export const F16_TOL: Tolerance = { atol: 2e-3, rtol: 1e-2 };

export interface CloseReport {
  maxAbsError: number;
  worstIndex: number;
}

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, what = 'result'): CloseReport {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length} != expected ${expected.length}`);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  let maxAbsError = 0;
  let worstIndex = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const err = Math.abs(a - e);
    const allowed = tol.atol + tol.rtol * Math.abs(e) + (tol.scaleTol ?? 0) * scale;
    if (!(err <= allowed) && (err - allowed > worstExcess || Number.isNaN(err))) {
      worstExcess = Number.isNaN(err) ? Infinity : err - allowed;
      worstIndex = i;
    }
    if (err > maxAbsError || Number.isNaN(err)) maxAbsError = Number.isNaN(err) ? Infinity : err;
  }
  if (worstIndex >= 0) {
    const count = countBad(actual, expected, tol, scale);
    throw new Error(
      `${what}: ${count} of ${expected.length} elements out of tolerance (atol ${tol.atol}, rtol ${tol.rtol}` +
        `${tol.scaleTol ? `, scaleTol ${tol.scaleTol}` : ''}); worst at [${worstIndex}]: got ${actual[worstIndex]}, expected ${expected[worstIndex]}`,
    );
  }
  return { maxAbsError, worstIndex };
}

function countBad(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, scale: number): number {
  let n = 0;
  for (let i = 0; i < expected.length; i++) {
    const allowed = tol.atol + tol.rtol * Math.abs(expected[i]) + (tol.scaleTol ?? 0) * scale;
    if (!(Math.abs(actual[i] - expected[i]) <= allowed)) n++;
  }
  return n;
}

/** Rounds values to f16 precision, for references of f16-storage kernels. */
export function roundToF16(values: ArrayLike<number>): Float64Array {
  const f16 = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) f16[i] = f16Round(values[i]);
  return f16;
}

function f16Round(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const e = Math.max(Math.floor(Math.log2(Math.abs(x))), -14);
  const ulp = 2 ** (e - 10);
  return Math.round(x / ulp) * ulp;
}
