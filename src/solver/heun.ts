/**
 * Heun (EDM-style): on every interval but the last, x_p = x − h·v(x, t_i), then
 * x ← x − h·(v(x, t_i) + v(x_p, t_{i+1}))/2 (trapezoid); the last interval, which lands on t = 0,
 * is a plain Euler step (as in EDM's sampler, where the correction at σ = 0 is skipped).
 * Backbone calls: 2N − 1.
 */
import type { Tensor } from '../gpu/tensor.js';
import type { SamplerRun, UpdateArgs } from './run.js';

export function heun(run: SamplerRun): Promise<Tensor> {
  const times = run.setup.times;
  return run.integrate((i, x, scratch) => {
    const t = times[i];
    const t1 = times[i + 1];
    const h = t - t1;
    const v0 = scratch(run.backbone(scratch(x), t));
    const eulerStep: UpdateArgs = { x, h, anchors: [v0], nodes: [{ anchor: 0, weight: 1, time: t }] };
    if (i === run.steps - 1) return run.update(eulerStep, true);
    const xp = scratch(run.update(eulerStep, false));
    const v1 = scratch(run.backbone(xp, t1));
    return run.update({ x, h, anchors: [v0, v1], nodes: [{ anchor: 0, weight: 0.5, time: t }, { anchor: 1, weight: 0.5, time: t1 }] }, false);
  });
}
