/** Reference for roll_forward: x' = x − h_b · Σ_k w_k (v + Δ_k), Δ offset-major [K, B·per] (f64). */
export function rollForwardRef(x: ArrayLike<number>, v: ArrayLike<number>, deltas: ArrayLike<number>, h: readonly number[], weights: readonly number[]): Float64Array {
  const n = x.length;
  const per = n / h.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    weights.forEach((w, k) => (sum += w * (v[i] + deltas[k * n + i])));
    out[i] = x[i] - h[Math.floor(i / per)] * sum;
  }
  return out;
}
