/** Plain-TS f64 reference for the channels-first 1x1 conv (direct loops). */

/**
 * out[b, o, p] = Σ_c w[o, c] · x[b, c, p] (+ bias[o]) (+ residual[b, o, p]) for x [B, Cin, P]
 * (P = H·W) and w [Cout, Cin].
 */
export function conv1x1Ref(
  x: ArrayLike<number>, batch: number, cin: number, pixels: number, weight: ArrayLike<number>, cout: number,
  bias?: ArrayLike<number>, residual?: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(batch * cout * pixels);
  for (let b = 0; b < batch; b++)
    for (let o = 0; o < cout; o++)
      for (let p = 0; p < pixels; p++) {
        const at = (b * cout + o) * pixels + p;
        let sum = (bias ? bias[o] : 0) + (residual ? residual[at] : 0);
        for (let c = 0; c < cin; c++) sum += weight[o * cin + c] * x[(b * cin + c) * pixels + p];
        out[at] = sum;
      }
  return out;
}
