/** Euler: x ← x − h_i·v(x, t_i). N backbone calls. */
import type { Tensor } from '../gpu/tensor.js';
import { disposeAll, type SamplerRun } from './run.js';

export async function euler(run: SamplerRun): Promise<Tensor> {
  const times = run.setup.times;
  let x = run.initialState();
  const live = new Set<Tensor>([x]);
  try {
    for (let i = 0; i < run.steps; i++) {
      run.beginStep(i);
      const t = times[i];
      const v = run.backbone(x, t);
      const next = run.update({ x, h: t - times[i + 1], anchors: [v], nodes: [{ anchor: 0, weight: 1, time: t }] }, i === run.steps - 1);
      disposeAll(v, x);
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
