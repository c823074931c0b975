/**
 * Public sampling entry point. Everything runs in the REPA convention (t: 1 = noise → 0 = data,
 * x ← x − h·v); models in the original SiT convention are adapted at the boundary (run.ts).
 */
import type { Engine } from '../gpu/engine.js';
import { Tensor } from '../gpu/tensor.js';
import { biAnchor, singleAnchor } from './ba.js';
import { dpmSolver2M } from './dpm.js';
import { euler } from './euler.js';
import { timeGrid, type GridOptions } from './grid.js';
import { heun } from './heun.js';
import { rk4 } from './rk4.js';
import type { VelocityCorrector, VelocityModel } from './models.js';
import { gaussianNoise } from './noise.js';
import { biAnchorRule, gaussLegendre, LOBATTO_ALPHA, type QuadratureRule } from './quadrature.js';
import { checkGuidance, SamplerError, SamplerRun, SamplingAbortedError, type GuidanceOptions, type SamplerHooks } from './run.js';

export type SolverName = 'ba' | 'ba-single' | 'euler' | 'heun' | 'dpm++2m' | 'rk4';

export interface SampleOptions extends SamplerHooks {
  model: VelocityModel;
  /** Required by 'ba' and 'ba-single'. */
  sidenet?: VelocityCorrector;
  solver: SolverName;
  /**
   * Number of intervals N of the time grid. Backbone calls: N for every solver except RK4 (4N) and Heun
   * (2N − 1).
   */
  nfe: number;
  /** Class labels [B]. */
  labels: ArrayLike<number>;
  /** Initial noise [B, C, H, W] (caller-owned), or a seed for gaussianNoise (needs `size`). */
  noise: Tensor | number;
  /** Latent [H, W] when `noise` is a seed. */
  size?: readonly [number, number];
  /** Storage dtype of seeded noise, hence of the state (default f32); must match the networks' activations. */
  dtype?: 'f32' | 'f16';
  guidance?: GuidanceOptions;
  grid?: GridOptions;
  /** 'ba': interior node α of the bi-anchor rule (default Gauss–Lobatto (1 − 1/√5)/2; 1/3 = Simpson 3/8). */
  alpha?: number;
  /** 'ba-single': Gauss–Legendre points K = 1..5 (default 3). */
  nodes?: number;
}

export interface SampleResult {
  /** Final latent [B, C, H, W] (REPA latent space, scaled by 0.18215); caller-owned. */
  latent: Tensor;
  backboneCalls: number;
  sidenetCalls: number;
}

export async function sample(engine: Engine, options: SampleOptions): Promise<SampleResult> {
  const { model, solver, nfe, labels } = options;
  const { times, rule } = checkSampleOptions(options);
  // Already cancelled: stop before uploading noise or recording the first copy.
  if (options.signal?.aborted) throw new SamplingAbortedError(0, nfe);
  // Whatever fails inside (a device limit, out of memory, device loss, non-finite values,
  // an abort) frees every tensor the run made.
  return engine.guard(async () => {
    let noise: Tensor;
    if (options.noise instanceof Tensor) {
      noise = options.noise;
    } else {
      if (!options.size) throw new SamplerError('a noise seed needs size: [H, W]');
      const shape = [labels.length, model.channels, ...options.size];
      noise = engine.upload(gaussianNoise(options.noise, shape.reduce((a, b) => a * b, 1)), shape, options.dtype ?? 'f32');
    }
    const run = new SamplerRun(engine, { ...options, noise, times });
    try {
      let latent: Tensor;
      switch (solver) {
        case 'ba': latent = await biAnchor(run, rule); break;
        case 'ba-single': latent = await singleAnchor(run, rule); break;
        case 'euler': latent = await euler(run); break;
        case 'heun': latent = await heun(run); break;
        case 'rk4': latent = await rk4(run); break;
        case 'dpm++2m': latent = await dpmSolver2M(run); break;
        default: throw new SamplerError(`unknown solver '${solver as string}' (ba, ba-single, euler, heun, dpm++2m, rk4)`);
      }
      return { latent, backboneCalls: run.backboneCalls, sidenetCalls: run.sidenetCalls };
    } finally {
      if (noise !== options.noise) noise.dispose();
    }
  });
}

/**
 * Everything sample() would refuse in its options, found without touching the GPU (callers
 * check before they upload noise): the time grid and the solver's quadrature rule.
 */
export function checkSampleOptions(options: Pick<SampleOptions, 'solver' | 'nfe' | 'sidenet' | 'guidance' | 'grid' | 'alpha' | 'nodes'>): { times: number[]; rule?: QuadratureRule } {
  const { solver, nfe } = options;
  if (!Number.isInteger(nfe) || nfe < 1) throw new SamplerError(`nfe must be a positive integer, got ${nfe}`);
  if ((solver === 'ba' || solver === 'ba-single') && !options.sidenet) throw new SamplerError(`solver '${solver}' needs a SideNet (sidenet option)`);
  if (options.guidance) checkGuidance(options.guidance);
  const times = checked(() => timeGrid(nfe, options.grid));
  const rule = solver === 'ba' ? checked(() => biAnchorRule(options.alpha ?? LOBATTO_ALPHA)) : solver === 'ba-single' ? checked(() => gaussLegendre(options.nodes ?? 3)) : undefined;
  return { times, rule };
}

/** Option checks of the grid and rules throw RangeErrors; sample() reports them as SamplerErrors. */
function checked<T>(make: () => T): T {
  try {
    return make();
  } catch (err) {
    throw err instanceof RangeError ? new SamplerError(err.message) : err;
  }
}

export { biAnchor, singleAnchor } from './ba.js';
export { dpmSolver2M } from './dpm.js';
export { euler } from './euler.js';
export { rk4 } from './rk4.js';
export { heun } from './heun.js';
export { timeGrid, type GridOptions } from './grid.js';
export { gaussianNoise, MAX_SEED, perImageNoise } from './noise.js';
export { biAnchorRule, gaussLegendre, LOBATTO_ALPHA, SIMPSON_ALPHA, type QuadratureRule } from './quadrature.js';
export { NonFiniteSampleError, SamplerError, SamplerRun, SamplingAbortedError, type GuidanceOptions, type RunSetup, type SamplerHooks, type StepInfo } from './run.js';
export type { VelocityCorrector, VelocityModel } from './models.js';
