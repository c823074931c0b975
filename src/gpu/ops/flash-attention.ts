/**
 * Flash attention for GPUs (issue 18): the same operation and arguments as `attention()` in
 * attention.ts (strided q/k/v/out views, seqQ ≠ seqK, optional base-2 log-sum-exp stats), but
 * one workgroup per (query block, batch·head) with the key/value tiles staged in workgroup
 * memory and each query row split over G = 4 lanes. See flash_attention.wgsl for the work split.
 *
 * Two families, picked by the device's features:
 * - subgroups: 128 lanes = 32 queries per workgroup, 16 keys per tile (12 at head dim > 96),
 *   partial dot products summed with subgroupShuffleXor;
 * - fallback: 64 lanes = 16 queries per workgroup, 16 keys per tile (12 at head dim > 96),
 *   partial dot products summed through workgroup memory.
 * Both stay within the 16 KiB of workgroup memory every WebGPU device offers, in f32.
 *
 * The subgroup kernels start with `enable subgroups;` (the pipeline cache hoists it above its
 * dtype preamble).
 */
import flashSource from '../../shaders/flash_attention.wgsl';
import type { Engine } from '../engine.js';
import { FeatureMissingError } from '../errors.js';
import type { Kernel, StorageDType } from '../pipelines.js';
import type { Tensor } from '../tensor.js';
import { checkAttentionArgs, stridedAttentionBindings, type AttentionArgs } from './attention-args.js';
import { bothDTypes, ceilDiv, type KernelVariantSpec } from './common.js';

/**
 * Head-dim capacities: each is one kernel whose per-lane register rows hold DH / 4 floats. 32,
 * 64, 72 (SiT-XL) and 128 are exact; other head dims use the next one up, their extra dims
 * zeroed. All are multiples of 8 so a tile's BK × DH elements split evenly over the lanes.
 */
export const FLASH_ATTENTION_HEAD_DIMS = [16, 32, 48, 64, 72, 96, 128] as const;

/** Lanes per query row (the dims of the row are dealt round-robin over them). */
const LANES_PER_QUERY = 4;

/** One tiling: invocations per workgroup and keys per tile (queries per workgroup = wg / 4). */
export interface FlashTiling {
  wg: number;
  bk: number;
  subgroups: boolean;
}

/**
 * Tile sizes by family and head dim. Workgroup memory in bytes: key + value tiles 2·BK·DH·4,
 * plus 4 (the subgroup base counter) or BK·WG·4 (the fallback's partial scores):
 *   subgroups, DH ≤ 96: 12 292 max; DH 128, BK 12: 12 292.
 *   fallback,  DH ≤ 96: 16 384 max; DH 128, BK 12: 15 360.
 * BK is a multiple of 4 (the subgroup sum works on vec4s of scores).
 */
export function flashTiling(dh: number, subgroups: boolean): FlashTiling {
  return { wg: subgroups ? 128 : 64, bk: dh > 96 ? 12 : 16, subgroups };
}

/** The head-dim capacity for headDim, or undefined above the largest. */
function capacity(headDim: number): number | undefined {
  return FLASH_ATTENTION_HEAD_DIMS.find((d) => headDim <= d);
}

/** True when flashAttention handles this head dim (1..128). */
export function flashAttentionSupports(headDim: number): boolean {
  return Number.isInteger(headDim) && headDim >= 1 && capacity(headDim) !== undefined;
}

/** Keeps the `//#if SUBGROUPS` / `//#else` / `//#endif` sections of the source that apply. */
function resolveSections(source: string, subgroups: boolean): string {
  const out: string[] = [];
  let keep = [true];
  for (const line of source.split('\n')) {
    const t = line.trim();
    if (t === '//#if SUBGROUPS') keep = [...keep, subgroups];
    else if (t === '//#else') keep = [...keep.slice(0, -1), !keep.at(-1)!];
    else if (t === '//#endif') keep = keep.slice(0, -1);
    else if (keep.every(Boolean)) out.push(line);
  }
  return out.join('\n');
}

function makeKernel(dh: number, subgroups: boolean): Kernel {
  const { wg, bk } = flashTiling(dh, subgroups);
  const header = `${subgroups ? 'enable subgroups;\n' : ''}const DH = ${dh}u;\nconst G = ${LANES_PER_QUERY}u;\nconst WG = ${wg}u;\nconst BK = ${bk}u;\n`;
  return { name: `flash_attention_${subgroups ? 'sg' : 'wg'}_d${dh}`, source: header + resolveSections(flashSource, subgroups) };
}

const kernels = new Map<string, Kernel>();
for (const dh of FLASH_ATTENTION_HEAD_DIMS) {
  for (const sg of [false, true]) kernels.set(`${dh}:${sg}`, makeKernel(dh, sg));
}

/** Whether this engine can run the subgroup kernels (its device has `subgroups`). */
export function flashAttentionSubgroupsUsable(engine: Engine): boolean {
  return engine.has('subgroups');
}

export interface FlashAttentionOptions {
  /**
   * Force the subgroup kernels (true: FeatureMissingError where unusable) or the fallback
   * (false). Default: subgroups where flashAttentionSubgroupsUsable.
   */
  subgroups?: boolean;
}

/**
 * out[b, h, i, :] = softmax_j(scale · q[b,h,i,:]·k[b,h,j,:]) v[b,h,j,:], all views strided, as
 * attention() computes it (same arguments, same stats). Returns out.tensor.
 */
export function flashAttention(engine: Engine, args: AttentionArgs, options: FlashAttentionOptions = {}): Tensor {
  const op = 'flashAttention';
  const { seqK, dtype } = checkAttentionArgs(op, engine, args, FLASH_ATTENTION_HEAD_DIMS.at(-1)!);
  const subgroups = options.subgroups ?? flashAttentionSubgroupsUsable(engine);
  if (subgroups && !flashAttentionSubgroupsUsable(engine)) throw new FeatureMissingError('subgroups', `${op} with subgroups`);
  return recordFlashAttention(engine, args, seqK, dtype, subgroups);
}

/** Records the dispatch for arguments checkAttentionArgs accepted (head dim ≤ 128). */
export function recordFlashAttention(engine: Engine, args: AttentionArgs, seqK: number, dtype: StorageDType, subgroups: boolean): Tensor {
  const { batch, heads, seqQ, headDim, out } = args;
  const dh = capacity(headDim)!;
  const tiling = flashTiling(dh, subgroups);
  // Without stats the kernel writes nothing there, but the binding needs a writable buffer.
  const stats = args.stats ?? engine.empty([1], 'f32');
  engine.dispatch({
    kernel: kernels.get(`${dh}:${subgroups}`)!,
    dtype,
    constants: { STATS: args.stats ? 1 : 0 },
    ...stridedAttentionBindings(args, seqK, stats),
    workgroups: [ceilDiv(seqQ, tiling.wg / LANES_PER_QUERY), batch * heads],
    label: 'attention',
  });
  if (stats !== args.stats) stats.dispose();
  return out.tensor;
}

const variantsOf = (subgroups: boolean): KernelVariantSpec[] =>
  FLASH_ATTENTION_HEAD_DIMS.flatMap((dh) => bothDTypes(kernels.get(`${dh}:${subgroups}`)!, [{ STATS: 0 }, { STATS: 1 }]));

/** Both families (subgroup kernels compile only where the adapter has subgroups): every head dim, both dtypes, with and without stats. */
export const FLASH_ATTENTION_VARIANTS: KernelVariantSpec[] = [...variantsOf(false), ...variantsOf(true)];
