/**
 * Classic fourth-order Runge–Kutta, the high-accuracy reference for quality evaluation (many
 * steps, not a few-step sampler): k1 = v(x, t), k2 = v(x − h/2·k1, t − h/2),
 * k3 = v(x − h/2·k2, t − h/2), k4 = v(x − h·k3, t − h), x ← x − h·(k1 + 2k2 + 2k3 + k4)/6.
 * Guidance applies per stage at the stage's own time. Backbone calls: 4N.
 */
import type { Tensor } from '../gpu/tensor.js';
import type { SamplerRun } from './run.js';

export function rk4(run: SamplerRun): Promise<Tensor> {
  const times = run.setup.times;
  return run.integrate((i, x, scratch) => {
    const t = times[i];
    const h = t - times[i + 1];
    const mid = t - h / 2;
    const stage = (k: Tensor, time: number, step: number) => scratch(run.update({ x, h: step, anchors: [k], nodes: [{ anchor: 0, weight: 1, time }] }, false));
    const k1 = scratch(run.backbone(scratch(x), t));
    const k2 = scratch(run.backbone(stage(k1, t, h / 2), mid));
    const k3 = scratch(run.backbone(stage(k2, mid, h / 2), mid));
    const k4 = scratch(run.backbone(stage(k3, mid, h), times[i + 1]));
    // The fused update takes at most two anchors: apply the weighted sum in two halves.
    const half = scratch(run.update({ x, h, anchors: [k1, k2], nodes: [{ anchor: 0, weight: 1 / 6, time: t }, { anchor: 1, weight: 2 / 6, time: mid }] }, false));
    return run.update({
      x: half, h, anchors: [k3, k4], nodes: [{ anchor: 0, weight: 2 / 6, time: mid }, { anchor: 1, weight: 1 / 6, time: times[i + 1] }],
    }, i === run.steps - 1);
  });
}
