/** Euler: x ← x − h_i·v(x, t_i). N backbone calls. */
import type { Tensor } from '../gpu/tensor.js';
import type { SamplerRun } from './run.js';

export function euler(run: SamplerRun): Promise<Tensor> {
  const times = run.setup.times;
  return run.integrate((i, x, scratch) => {
    const t = times[i];
    const v = scratch(run.backbone(scratch(x), t));
    return run.update({ x, h: t - times[i + 1], anchors: [v], nodes: [{ anchor: 0, weight: 1, time: t }] }, i === run.steps - 1);
  });
}
