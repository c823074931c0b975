/**
 * BA-solver (ba-solver.md §4, Algorithm 1) and its single-anchor ablation. Exactly N backbone
 * calls each. Times are REPA (t: 1 → 0), interval i has h = t_i − t_{i+1}.
 */
import type { QuadratureNode } from '../gpu/ops/quadrature.js';
import type { Tensor } from '../gpu/tensor.js';
import { biAnchorRule, gaussLegendre, type QuadratureRule } from './quadrature.js';
import { SamplerError, type SamplerRun, type UpdateArgs } from './run.js';

/**
 * Bi-anchor interpolation, per interval (rule nodes {0, α, 1−α, 1}, weights {w_o, w_i, w_i, w_o}):
 *   forward probe  Δf = SideNet(x, v_raw, t; offsets α·h, (1−α)·h, h)        (one batched call)
 *   predictor      x_p = x − h·Σ w·[v_raw, v_raw+Δf_α, v_raw+Δf_{1−α}, v_raw+Δf_h]
 *                  (last interval: return x_p; no backbone call at t = 0)
 *   end anchor     v_end = backbone(x_p, t − h)                             (kept: next v_raw)
 *   backward probe Δb = SideNet(x_p, v_end, t − h; offset −α·h)
 *   corrector      x ← x − h·Σ w·[v_raw, v_raw+Δf_α, v_end+Δb, v_end]
 * Every node is guided at its own time inside the fused kernel; v_raw/v_end stay raw (model
 * convention, cond ‖ null) and only the SideNet sees them as REPA C-channel velocities.
 */
export async function biAnchor(run: SamplerRun, rule: QuadratureRule = biAnchorRule()): Promise<Tensor> {
  const [c0, a, b, c3] = rule.nodes;
  const w = rule.weights;
  if (rule.nodes.length !== 4 || c0 !== 0 || c3 !== 1 || Math.abs(a + b - 1) > 1e-12) {
    throw new SamplerError(`bi-anchor needs a rule with nodes {0, α, 1−α, 1}, got ${rule.name} [${rule.nodes}]`);
  }
  const times = run.setup.times;
  // Each interval's probes; the same numbers are planned up front and later passed to probe().
  const forwardProbe = (i: number) => {
    const h = times[i] - times[i + 1];
    return { t: times[i], offsets: [a * h, b * h, h] };
  };
  const backwardProbe = (i: number) => {
    const h = times[i] - times[i + 1];
    return { t: times[i] - h, offsets: [-a * h] };
  };
  run.planProbes(Array.from({ length: run.steps }, (_, i) => (i < run.steps - 1 ? [forwardProbe(i), backwardProbe(i)] : [forwardProbe(i)])).flat());
  // The start anchor (raw backbone output) and its SideNet input, carried from step to step.
  let vRaw: Tensor | undefined;
  let vIn: Tensor | undefined;
  let vEnd: Tensor | undefined;
  let vEndIn: Tensor | undefined;
  return run.integrate((i, x, scratch) => {
    const t = times[i];
    const h = t - times[i + 1];
    if (!vRaw) {
      vRaw = run.backbone(x, t);
      vIn = run.repa(vRaw);
    }
    scratch(x);
    const forward = forwardProbe(i);
    const fwd = scratch(run.probe(x, vIn!, forward.t, forward.offsets));
    const start: QuadratureNode = { anchor: 0, weight: w[0], time: t };
    const alphaNode: QuadratureNode = { anchor: 0, delta: { buffer: 0, slice: 0 }, weight: w[1], time: t - a * h };
    const predictor = {
      x, h, anchors: [vRaw], deltas: [fwd],
      nodes: [start, alphaNode, { anchor: 0, delta: { buffer: 0, slice: 1 }, weight: w[2], time: t - b * h }, { anchor: 0, delta: { buffer: 0, slice: 2 }, weight: w[3], time: t - h }],
    } satisfies UpdateArgs;
    if (i === run.steps - 1) {
      // Predictor only: no backbone call at t = 0.
      scratch(vRaw);
      scratch(vIn);
      return run.update(predictor, true);
    }
    const xPred = scratch(run.update(predictor, false));
    vEnd = run.backbone(xPred, t - h);
    vEndIn = run.repa(vEnd);
    const backward = backwardProbe(i);
    const bwd = scratch(run.probe(xPred, vEndIn, backward.t, backward.offsets));
    const next = run.update({
      x, h, anchors: [vRaw, vEnd], deltas: [fwd, bwd],
      nodes: [start, alphaNode, { anchor: 1, delta: { buffer: 1, slice: 0 }, weight: w[2], time: t - b * h }, { anchor: 1, weight: w[3], time: t - h }],
    }, false);
    // State reuse: the end anchor is the next interval's start anchor.
    scratch(vRaw);
    scratch(vIn);
    vRaw = vEnd;
    vIn = vEndIn;
    return next;
  }, () => [vRaw, vIn, vEnd, vEndIn]);
}

/**
 * Single anchor (ablation): v_raw = backbone(x, t), one batched SideNet call at offsets c_k·h,
 * x ← x − h·Σ w_k (v_raw + Δv_k) with Gauss–Legendre nodes c_k (K = 1..5). N backbone calls.
 */
export function singleAnchor(run: SamplerRun, rule: QuadratureRule = gaussLegendre(3)): Promise<Tensor> {
  const times = run.setup.times;
  const deltaNodes = rule.nodes.map((c, k) => ({ c, k })).filter(({ c }) => c !== 0);
  const probeAt = (i: number) => ({ t: times[i], offsets: deltaNodes.map(({ c }) => c * (times[i] - times[i + 1])) });
  if (deltaNodes.length) run.planProbes(Array.from({ length: run.steps }, (_, i) => probeAt(i)));
  return run.integrate((i, x, scratch) => {
    const t = times[i];
    const h = t - times[i + 1];
    const vRaw = scratch(run.backbone(scratch(x), t));
    const vIn = scratch(run.repa(vRaw));
    const probe = probeAt(i);
    const d = deltaNodes.length ? scratch(run.probe(x, vIn, probe.t, probe.offsets)) : undefined;
    const nodes: QuadratureNode[] = rule.nodes.map((c, k) => {
      const slice = deltaNodes.findIndex((n) => n.k === k);
      return { anchor: 0, delta: slice >= 0 ? { buffer: 0, slice } : undefined, weight: rule.weights[k], time: t - c * h };
    });
    return run.update({ x, h, anchors: [vRaw], deltas: d ? [d] : [], nodes }, i === run.steps - 1);
  });
}
