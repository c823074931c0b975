/**
 * GroupNorm of channels-first tensors (torch.nn.GroupNorm) with an optional fused SiLU, as the
 * VAE decoder uses it before every conv. Two dispatches: per-(image, group) statistics in f32,
 * then an elementwise normalise + affine (+ SiLU) over the whole tensor. groupNormBands does the
 * same for images held as row bands (too large for one binding): statistics per band, merged,
 * then the normalisation band by band.
 */
import groupNormMergeSource from '../../shaders/groupnorm_merge.wgsl';
import groupNormSource from '../../shaders/groupnorm.wgsl';
import groupNormStatsSource from '../../shaders/groupnorm_stats.wgsl';
import type { Engine } from '../engine.js';
import { ShapeError } from '../errors.js';
import type { Kernel, StorageDType } from '../pipelines.js';
import { shapeString, type Tensor } from '../tensor.js';
import { bothDTypes, ceilDiv, expectShape, floatDType, grid, type KernelVariantSpec } from './common.js';

export const groupNormStatsKernel: Kernel = { name: 'groupnorm_stats', source: groupNormStatsSource };
export const groupNormKernel: Kernel = { name: 'groupnorm', source: groupNormSource };
export const groupNormMergeKernel: Kernel = { name: 'groupnorm_merge', source: groupNormMergeSource };
const STATS_WG = 256;
const WG = 256;
const MERGE_WG = 64;

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
  const { dtype, channelsPerGroup, groupCount } = checkGroupNorm(op, x, weight, bias, options);
  const stats = engine.empty([groupCount, 2], 'f32');
  dispatchStats(engine, op, dtype, x, stats, channelsPerGroup, groupCount, options, undefined);
  const out = normalize(engine, op, dtype, x, stats, weight, bias, channelsPerGroup, options);
  stats.dispose();
  return out;
}

/**
 * groupNorm of images split into row bands [N, C, rows_i, ...rest] (rows_i may differ; N, C and
 * rest agree): the statistics are those of the whole images (the bands stacked along dim 2), so
 * the returned bands equal the same rows of groupNorm over the stacked tensor. For activations
 * past the device's binding limit; one band is plain groupNorm.
 */
export function groupNormBands(engine: Engine, bands: readonly Tensor[], weight: Tensor, bias: Tensor, options: GroupNormOptions): Tensor[] {
  const op = options.silu ? 'groupNormBands+silu' : 'groupNormBands';
  if (!bands.length) throw new ShapeError(`${op}: no bands`);
  if (bands.length === 1) return [groupNorm(engine, bands[0], weight, bias, options)];
  const first = bands[0].shape;
  const checked = bands.map((band) => {
    const sameImages = band.shape.length === first.length && band.shape.length >= 3 && band.shape.every((d, i) => i === 2 || d === first[i]);
    if (!sameImages) throw new ShapeError(`${op}: bands must be [N, C, rows, ...] with all but rows equal, got ${shapeString(first)} and ${shapeString(band.shape)}`);
    return checkGroupNorm(op, band, weight, bias, options);
  });
  const { dtype, channelsPerGroup, groupCount } = checked[0];
  const partials = engine.empty([bands.length, groupCount, 3], 'f32');
  bands.forEach((band, i) => dispatchStats(engine, op, dtype, band, partials, channelsPerGroup, groupCount, options, i * groupCount));
  const stats = engine.empty([groupCount, 2], 'f32');
  engine.dispatch({
    kernel: groupNormMergeKernel,
    constants: { WG: MERGE_WG },
    bindings: { partials, stats },
    uniforms: { groupCount, bands: bands.length, eps: options.eps ?? 1e-6 },
    workgroups: grid(engine, ceilDiv(groupCount, MERGE_WG)),
    label: `${op}.merge`,
  });
  partials.dispose();
  const out = bands.map((band) => normalize(engine, op, dtype, band, stats, weight, bias, channelsPerGroup, options));
  stats.dispose();
  return out;
}

function checkGroupNorm(op: string, x: Tensor, weight: Tensor, bias: Tensor, options: GroupNormOptions) {
  const dtype = floatDType(op, x, weight, bias);
  if (x.shape.length < 2) throw new ShapeError(`${op}: x must be [N, C, ...spatial], got ${shapeString(x.shape)}`);
  const [batch, channels] = x.shape;
  const { groups } = options;
  if (!Number.isInteger(groups) || groups < 1 || channels % groups !== 0) {
    throw new ShapeError(`${op}: ${channels} channels of x ${shapeString(x.shape)} cannot form ${groups} equal groups`);
  }
  expectShape(op, 'weight', weight, [channels]);
  expectShape(op, 'bias', bias, [channels]);
  return { dtype, channelsPerGroup: channels / groups, groupCount: batch * groups };
}

/** Per-(image, group) statistics of x into stats: final ones, or with firstGroup a band's partials. */
function dispatchStats(engine: Engine, op: string, dtype: StorageDType, x: Tensor, stats: Tensor, channelsPerGroup: number, groupCount: number, options: GroupNormOptions, firstGroup: number | undefined): void {
  const partial = firstGroup !== undefined;
  engine.dispatch({
    kernel: groupNormStatsKernel,
    dtype,
    constants: { WG: STATS_WG, ...(partial ? { PARTIAL: 1 } : {}) },
    bindings: { x, stats },
    uniforms: { groupCount, groupSize: channelsPerGroup * pixels(x), eps: options.eps ?? 1e-6, firstGroup: firstGroup ?? 0 },
    workgroups: grid(engine, groupCount),
    label: `${op}.stats`,
  });
}

function normalize(engine: Engine, op: string, dtype: StorageDType, x: Tensor, stats: Tensor, weight: Tensor, bias: Tensor, channelsPerGroup: number, options: GroupNormOptions): Tensor {
  const channels = x.shape[1];
  const out = engine.empty(x.shape, dtype);
  engine.dispatch({
    kernel: groupNormKernel,
    dtype,
    constants: { SILU: options.silu ? 1 : 0, WG },
    bindings: { x, stats, weight, bias, out },
    uniforms: { total: x.size, hw: pixels(x), channels, channelsPerGroup },
    workgroups: grid(engine, ceilDiv(x.size, WG)),
    label: op,
  });
  return out;
}

/** Pixels per channel of [N, C, ...spatial]. */
function pixels(x: Tensor): number {
  return x.shape.slice(2).reduce((a, b) => a * b, 1);
}

export const GROUPNORM_VARIANTS: KernelVariantSpec[] = [
  ...bothDTypes(groupNormStatsKernel, [{ WG: STATS_WG }, { WG: STATS_WG, PARTIAL: 1 }]),
  // Reads and writes only f32 statistics: the storage dtype does not matter.
  { kernel: groupNormMergeKernel, dtype: 'f32', constants: { WG: MERGE_WG } },
  ...bothDTypes(groupNormKernel, [0, 1].map((SILU) => ({ SILU, WG }))),
];
