/**
 * What the samplers need from the networks. The solver works in the REPA convention
 * (ba-solver.md §1): t runs from 1 (noise) to 0 (data) and x ← x − h·v with h > 0. Models in
 * the original SiT convention are adapted at this boundary (v_REPA(x, t) = −v_SiT(x, 1 − t)),
 * using the convention the model's weight file declares; the solver never guesses.
 */
import type { Tensor } from '../gpu/tensor.js';
import type { TimeConvention } from '../model/weights.js';

/** A flow-matching backbone (SitModel implements it). */
export interface VelocityModel {
  readonly convention: TimeConvention;
  /** Latent channels C of x and of the velocity. */
  readonly channels: number;
  /** Label index of the null class used for classifier-free guidance. */
  readonly nullClass: number;
  /**
   * Raw output [N, C_out, H, W] in the model's own convention, for times in the model's own
   * convention (C_out may exceed C: learn_sigma outputs; the first C channels are the velocity).
   */
  forward(x: Tensor, t: ArrayLike<number>, y: ArrayLike<number>): Tensor;
}

/** The SideNet (SideNetModel implements it): velocity corrections at nearby times. */
export interface VelocityCorrector {
  /**
   * Δv = h·S(x, v, t, h, y) for every offset h in `offsets`, so that v(t − h) ≈ v + Δv.
   * x, v: [N, C, H, W] in the REPA convention; t, y: [N]. Returns [offsets.length·N, C, H, W],
   * offset-major (all N images for offsets[0], then offsets[1], ...). One batched forward.
   */
  delta(x: Tensor, v: Tensor, t: ArrayLike<number>, offsets: readonly number[], y: ArrayLike<number>): Tensor;
  /**
   * Optional: the probes a run will make (each a later delta() call's t and offsets, labels y
   * for all), so that what depends only on (t, h, y) is computed for many probes in one batch.
   * delta() on a probe outside the plan still works. Dispose the plan when the run ends.
   */
  plan?(probes: readonly ProbePlan[], y: ArrayLike<number>): { dispose(): void };
}

/** One planned delta() call: t per image and the offsets. */
export interface ProbePlan {
  t: ArrayLike<number>;
  offsets: readonly number[];
}
