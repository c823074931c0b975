/**
 * DPM-Solver++(2M) for flow matching (multistep, data prediction). N backbone calls.
 *
 * REPA path x_t = α_t·x0 + σ_t·ε with α_t = 1 − t, σ_t = t; data prediction
 * x0(x, t) = x − t·v(x, t); λ_t = log(α_t/σ_t). From t_i to t_{i+1} (h = λ_{i+1} − λ_i,
 * r = (λ_i − λ_{i−1})/h, q = 1/(2r)):
 *   D = (1 + q)·x0_i − q·x0_{i−1}
 *   x_{i+1} = (σ_{i+1}/σ_i)·x_i + α_{i+1}·(1 − e^{−h})·D
 * Written in the state and raw velocities (so one fused pass per step, guidance per node at its
 * own time; x0_{i−1} = x_{i−1} − t_{i−1}·v_{i−1} with the kept previous state and raw output),
 * with β = α_{i+1}(1 − e^{−h}):
 *   x_{i+1} = (σ_{i+1}/σ_i + β(1+q))·x_i − βq·x_{i−1} − [β(1+q)t_i·v_i − βq·t_{i−1}·v_{i−1}].
 * First-order steps (D = x0_i, which for this path is exactly Euler): the first step; the step
 * after t = 1, where λ = −∞ makes r infinite (q = 0); and the last step onto t = 0, where λ = +∞
 * (diffusers' lower_order_final). So with the uniform grid, steps 3..N−1 are second order.
 */
import type { Tensor } from '../gpu/tensor.js';
import { disposeAll, type SamplerRun } from './run.js';

const lambda = (t: number) => Math.log((1 - t) / t);

export async function dpmSolver2M(run: SamplerRun): Promise<Tensor> {
  const times = run.setup.times;
  // The previous state and raw output, kept across steps for the second-order correction.
  let xPrev: Tensor | undefined;
  let vPrev: Tensor | undefined;
  let v: Tensor | undefined;
  const x = await run.integrate((i, x, scratch) => {
    const t = times[i];
    const t1 = times[i + 1];
    const last = i === run.steps - 1;
    v = run.backbone(x, t);
    const q = i === 0 || t1 === 0 ? 0 : 1 / (2 * ((lambda(t) - lambda(times[i - 1])) / (lambda(t1) - lambda(t))));
    let next: Tensor;
    if (!(q > 0) || !vPrev || !xPrev) {
      next = run.update({ x, h: t - t1, anchors: [v], nodes: [{ anchor: 0, weight: 1, time: t }] }, last);
    } else {
      const h = lambda(t1) - lambda(t);
      const beta = (1 - t1) * -Math.expm1(-h);
      next = run.update({
        x, xScale: t1 / t + beta * (1 + q), x2: { tensor: xPrev, scale: -beta * q }, h: 1,
        anchors: [v, vPrev],
        nodes: [{ anchor: 0, weight: beta * (1 + q) * t, time: t }, { anchor: 1, weight: -beta * q * times[i - 1], time: times[i - 1] }],
      }, last);
    }
    scratch(xPrev);
    scratch(vPrev);
    xPrev = x;
    vPrev = v;
    return next;
  }, () => [xPrev, vPrev, v]);
  disposeAll(xPrev, vPrev);
  return x;
}
