/** Detecting NaN/Inf in a sampler's state on the GPU (see nonfinite_step.wgsl). */
import nonfiniteStepSource from '../../shaders/nonfinite_step.wgsl';
import type { Engine } from '../engine.js';
import { ShapeError } from '../errors.js';
import type { Kernel } from '../pipelines.js';
import { shapeString, type Tensor } from '../tensor.js';
import { bothDTypes, ceilDiv, floatDType, type KernelVariantSpec } from './common.js';

export const nonfiniteStepKernel: Kernel = { name: 'nonfinite_step', source: nonfiniteStepSource };

const WG = 256;
/** Enough invocations to keep a GPU busy on large states; each checks at least 8 elements. */
const MAX_WORKGROUPS = 128;

export const FINITE_VARIANTS: KernelVariantSpec[] = bothDTypes(nonfiniteStepKernel, [{ WG }]);

/** The value of a first-step flag that saw no NaN or Inf. */
export const ALL_FINITE = 0xffffffff;

/** A fresh flag for markNonFinite: one u32 holding ALL_FINITE. */
export function nonFiniteFlag(engine: Engine): Tensor {
  return engine.upload([ALL_FINITE], [1], 'u32', 'non-finite step');
}

/** Records `step` into `flag` (keeping the smallest) if `x` holds any NaN or ±Inf. */
export function markNonFinite(engine: Engine, x: Tensor, step: number, flag: Tensor): void {
  const dtype = floatDType('nonfinite_step', x);
  if (flag.dtype !== 'u32' || flag.size !== 1) throw new ShapeError(`nonfinite_step: flag must be one u32, got ${shapeString(flag.shape)} ${flag.dtype}`);
  if (!x.size) return;
  engine.dispatch({
    kernel: nonfiniteStepKernel,
    dtype,
    constants: { WG },
    bindings: { x, first_step: flag },
    uniforms: { n: x.size, step },
    workgroups: [Math.min(ceilDiv(x.size, WG * 8), MAX_WORKGROUPS)],
    label: 'nonfinite_step',
  });
}
