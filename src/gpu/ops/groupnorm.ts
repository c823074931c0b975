/**
 * GroupNorm of channels-first tensors (torch.nn.GroupNorm) with an optional fused SiLU, as the
 * VAE decoder uses it before every conv. Two dispatches: per-(image, group) statistics in f32,
 * then an elementwise normalise + affine (+ SiLU) over the whole tensor.
 */
import groupNormSource from '../../shaders/groupnorm.wgsl';
import groupNormStatsSource from '../../shaders/groupnorm_stats.wgsl';
import type { Engine } from '../engine.js';
import { ShapeError } from '../errors.js';
import type { Kernel } from '../pipelines.js';
import { shapeString, type Tensor } from '../tensor.js';
import { bothDTypes, ceilDiv, expectShape, floatDType, grid, type KernelVariantSpec } from './common.js';

export const groupNormStatsKernel: Kernel = { name: 'groupnorm_stats', source: groupNormStatsSource };
export const groupNormKernel: Kernel = { name: 'groupnorm', source: groupNormSource };
const STATS_WG = 256;
const WG = 256;

export interface GroupNormOptions {
  /** Number of groups G; C must be a multiple of it. */
  groups: number;
  /** Default 1e-6 (the SD VAE's); torch.nn.GroupNorm's own default is 1e-5. */
  eps?: number;
  /** Apply SiLU to the normalised output. */
  silu?: boolean;
}

/**
 * out = act((x − mean) / sqrt(var + eps) · weight[c] + bias[c]) for x [N, C, ...spatial], with
 * mean and (biased) var over each group of C/G channels and all pixels of one image.
 */
export function groupNorm(engine: Engine, x: Tensor, weight: Tensor, bias: Tensor, options: GroupNormOptions): Tensor {
  const op = options.silu ? 'groupNorm+silu' : 'groupNorm';
  const dtype = floatDType(op, x, weight, bias);
  if (x.shape.length < 2) throw new ShapeError(`${op}: x must be [N, C, ...spatial], got ${shapeString(x.shape)}`);
  const [batch, channels, ...spatial] = x.shape;
  const { groups } = options;
  if (!Number.isInteger(groups) || groups < 1 || channels % groups !== 0) {
    throw new ShapeError(`${op}: ${channels} channels of x ${shapeString(x.shape)} cannot form ${groups} equal groups`);
  }
  expectShape(op, 'weight', weight, [channels]);
  expectShape(op, 'bias', bias, [channels]);
  const hw = spatial.reduce((a, b) => a * b, 1);
  const channelsPerGroup = channels / groups;
  const groupCount = batch * groups;

  const stats = engine.empty([groupCount, 2], 'f32');
  engine.dispatch({
    kernel: groupNormStatsKernel,
    dtype,
    constants: { WG: STATS_WG },
    bindings: { x, stats },
    uniforms: { groupCount, groupSize: channelsPerGroup * hw, eps: options.eps ?? 1e-6 },
    workgroups: grid(engine, groupCount),
    label: `${op}.stats`,
  });
  const out = engine.empty(x.shape, dtype);
  engine.dispatch({
    kernel: groupNormKernel,
    dtype,
    constants: { SILU: options.silu ? 1 : 0, WG },
    bindings: { x, stats, weight, bias, out },
    uniforms: { total: x.size, hw, channels, channelsPerGroup },
    workgroups: grid(engine, ceilDiv(x.size, WG)),
    label: op,
  });
  stats.dispose();
  return out;
}

export const GROUPNORM_VARIANTS: KernelVariantSpec[] = [
  ...bothDTypes(groupNormStatsKernel, [{ WG: STATS_WG }]),
  ...bothDTypes(groupNormKernel, [0, 1].map((SILU) => ({ SILU, WG }))),
];
