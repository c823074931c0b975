/**
 * Heun (EDM-style): on every interval but the last, x_p = x − h·v(x, t_i), then
 * x ← x − h·(v(x, t_i) + v(x_p, t_{i+1}))/2 (trapezoid); the last interval, which lands on t = 0,
 * is a plain Euler step (as in EDM's sampler, where the correction at σ = 0 is skipped).
 * Backbone calls: 2N − 1.
 */
import type { Tensor } from '../gpu/tensor.js';
import { disposeAll, type SamplerRun } from './run.js';

export async function heun(run: SamplerRun): Promise<Tensor> {
  const times = run.setup.times;
  let x = run.initialState();
  const live = new Set<Tensor>([x]);
  try {
    for (let i = 0; i < run.steps; i++) {
      run.beginStep(i);
      const t = times[i];
      const t1 = times[i + 1];
      const h = t - t1;
      const last = i === run.steps - 1;
      const v0 = run.backbone(x, t);
      live.add(v0);
      let next: Tensor;
      if (last) {
        next = run.update({ x, h, anchors: [v0], nodes: [{ anchor: 0, weight: 1, time: t }] }, true);
      } else {
        const xp = run.update({ x, h, anchors: [v0], nodes: [{ anchor: 0, weight: 1, time: t }] }, false);
        live.add(xp);
        const v1 = run.backbone(xp, t1);
        live.add(v1);
        next = run.update({ x, h, anchors: [v0, v1], nodes: [{ anchor: 0, weight: 0.5, time: t }, { anchor: 1, weight: 0.5, time: t1 }] }, false);
      }
      disposeAll(...live);
      live.clear();
      live.add((x = next));
      await run.endStep(i, x);
    }
    return x;
  } catch (err) {
    disposeAll(...live);
    throw err;
  }
}
