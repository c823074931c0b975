/**
 * f64 references for the backward ops and the optimizer: central finite differences of the
 * independent forward references (test/reference/*.ts), and a plain-TS AdamW with
 * clip_grad_norm_ written after PyTorch's documented algorithms.
 */

/**
 * Gradient of the scalar L(inputs) = Σ_i dy[i] · f(inputs)[i] with respect to inputs[which],
 * by central differences in f64: (L(x + h e_k) − L(x − h e_k)) / 2h for every element k.
 * With h = 1e-5 and O(1) smooth f the error is ~1e-10 (truncation h²·f''' and rounding
 * ε·|L|/h), far below the f32 kernels' error, so the comparison measures the kernel.
 */
export function fdGradient(
  f: (inputs: Float64Array[]) => ArrayLike<number>,
  inputs: readonly ArrayLike<number>[],
  dy: ArrayLike<number>,
  which: number,
  h = 1e-5,
): Float64Array {
  const xs = inputs.map((a) => Float64Array.from(a));
  const loss = () => {
    const out = f(xs);
    if (out.length !== dy.length) throw new Error(`fdGradient: f gives ${out.length} values, dy has ${dy.length}`);
    let s = 0;
    for (let i = 0; i < out.length; i++) s += dy[i] * out[i];
    return s;
  };
  const x = xs[which];
  const grad = new Float64Array(x.length);
  for (let k = 0; k < x.length; k++) {
    const x0 = x[k];
    x[k] = x0 + h;
    const up = loss();
    x[k] = x0 - h;
    const down = loss();
    x[k] = x0;
    grad[k] = (up - down) / (2 * h);
  }
  return grad;
}

/** Σ x² in f64. */
export function sumSquaresRef(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return s;
}

/**
 * torch.nn.utils.clip_grad_norm_(params, max_norm) with norm_type 2, as documented and
 * implemented in PyTorch: total_norm = ‖(‖g_1‖, ..., ‖g_n‖)‖ = sqrt(Σ g²);
 * clip_coef = max_norm / (total_norm + 1e-6); grads *= min(clip_coef, 1) (always multiplied,
 * also when the coefficient clamps to 1). Returns the scaled copy and the total norm.
 */
export function clipGradNormRef(grads: ArrayLike<number>, maxNorm: number): { grads: Float64Array; totalNorm: number } {
  const totalNorm = Math.sqrt(sumSquaresRef(grads));
  const coef = Math.min(maxNorm / (totalNorm + 1e-6), 1);
  return { grads: Float64Array.from(grads, (g) => g * coef), totalNorm };
}

export interface AdamWRefState {
  params: Float64Array;
  m: Float64Array;
  v: Float64Array;
}

/**
 * One step of torch.optim.AdamW (amsgrad = False, maximize = False), following the algorithm
 * in PyTorch's AdamW documentation, in f64:
 *   θ ← θ − γλθ;  m ← β1 m + (1 − β1) g;  v ← β2 v + (1 − β2) g²;
 *   m̂ = m / (1 − β1^t);  v̂ = v / (1 − β2^t);  θ ← θ − γ m̂ / (√v̂ + ε).
 * Mutates state; `step` is t (1-based).
 */
export function adamwRef(
  state: AdamWRefState, grads: ArrayLike<number>, step: number,
  o: { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number },
): void {
  const { params, m, v } = state;
  for (let i = 0; i < params.length; i++) {
    const g = grads[i];
    params[i] -= o.lr * o.weightDecay * params[i];
    m[i] = o.beta1 * m[i] + (1 - o.beta1) * g;
    v[i] = o.beta2 * v[i] + (1 - o.beta2) * g * g;
    const mHat = m[i] / (1 - o.beta1 ** step);
    const vHat = v[i] / (1 - o.beta2 ** step);
    params[i] -= (o.lr * mHat) / (Math.sqrt(vHat) + o.eps);
  }
}
