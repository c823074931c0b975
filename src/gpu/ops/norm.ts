/**
 * Normalisations: LayerNorm over the last dimension (plain, adaLN-modulated, or affine for
 * REPA's qk-norm) and the SideNet's channel RMSNorm with optional fused FiLM.
 */
import layerNormSource from '../../shaders/layernorm.wgsl';
import rmsNormSource from '../../shaders/rmsnorm.wgsl';
import type { Engine } from '../engine.js';
import { ShapeError } from '../errors.js';
import type { Kernel } from '../pipelines.js';
import { shapeString, type Tensor } from '../tensor.js';
import { usesCpuKernels } from './autotune.js';
import { bothDTypes, ceilDiv, expectShape, floatDType, grid, type KernelVariantSpec } from './common.js';
import { filmRowUniforms, NO_FILM, type FilmRows } from './film.js';

export const layerNormKernel: Kernel = { name: 'layernorm', source: layerNormSource };
/** The same LayerNorm with one invocation per row: lavapipe runs it ~4x faster (no barriers). */
export const layerNormRowsKernel: Kernel = { name: 'layernorm_rows', source: layerNormSource, entryPoint: 'rowPerInvocation' };
export const rmsNormKernel: Kernel = { name: 'rmsnorm', source: rmsNormSource };
const WG = 64;

/** adaLN: shift and scale chunks of the modulation Linear's output [B, k·D]. */
export interface AdaLnModulation {
  mod: Tensor;
  /** Element offsets of the shift and scale chunks inside a row of mod (e.g. 0 and D for chunk6's msa pair). */
  shiftOffset: number;
  scaleOffset: number;
  /** Rows of x per image (tokens T); row r uses mod row floor(r / rowsPerImage). */
  rowsPerImage: number;
}

/**
 * Rows taken from a larger buffer: row r starts at offset + floor(r / groupRows)·groupStride +
 * (r % groupRows)·dim. E.g. the q heads of qkv [B·T, 3, H, Dh]: offset 0, groupRows H,
 * groupStride 3·H·Dh (k heads: offset H·Dh).
 */
export interface RowSelection {
  rows: number;
  dim: number;
  offset: number;
  groupRows: number;
  groupStride: number;
}

export interface LayerNormOptions {
  /** Default 1e-6 (SiT); REPA's qk-norm uses 1e-5. */
  eps?: number;
  /** Fused adaLN modulate: out = LN(x)·(1 + scale) + shift. */
  modulation?: AdaLnModulation;
  /** Affine LayerNorm: out = LN(x)·weight + bias, weight and bias [D]. */
  affine?: { weight: Tensor; bias: Tensor };
  /** Normalise selected rows of x (see RowSelection) instead of all of them; x is then the whole buffer. */
  select?: RowSelection;
  out?: Tensor;
  /** 'workgroup' (a workgroup per row) or 'rows' (an invocation per row); default: 'rows' on lavapipe only. */
  strategy?: 'workgroup' | 'rows';
}

/**
 * LayerNorm over the last dimension D of x [..., D], or over the rows `select` picks out of x.
 * Output is dense: x's shape, or [select.rows, select.dim].
 */
export function layerNorm(engine: Engine, x: Tensor, options: LayerNormOptions = {}): Tensor {
  const op = 'layerNorm';
  const { modulation, affine, select } = options;
  if (modulation && affine) throw new ShapeError(`${op}: modulation and affine are mutually exclusive`);
  const params = modulation ? [modulation.mod] : affine ? [affine.weight, affine.bias] : [];
  const dtype = floatDType(op, x, ...params, ...(options.out ? [options.out] : []));
  const dim = select?.dim ?? x.shape[x.shape.length - 1];
  if (!Number.isInteger(dim) || dim < 1) throw new ShapeError(`${op}: row length must be a positive integer, got ${dim} for x ${shapeString(x.shape)}`);

  let rows: number;
  let outShape: readonly number[];
  if (select) {
    const { offset, groupRows, groupStride } = select;
    rows = select.rows;
    const rowEnd = (r: number) => offset + Math.floor(r / groupRows) * groupStride + (r % groupRows) * dim + dim;
    // The furthest row is the last one, or (for overlapping groups) the last of the group before.
    const end = Math.max(rowEnd(rows - 1), rows > groupRows ? rowEnd(groupRows * Math.floor((rows - 1) / groupRows) - 1) : 0);
    if (![rows, groupRows, offset, groupStride].every((n) => Number.isInteger(n) && n >= 0) || rows < 1 || groupRows < 1 || end > x.size) {
      throw new ShapeError(`${op}: selection of ${rows} rows of ${dim} (offset ${offset}, ${groupRows} per group, group stride ${groupStride}) ends at element ${end}, outside x ${shapeString(x.shape)}`);
    }
    outShape = [rows, dim];
  } else {
    rows = x.size / dim;
    outShape = x.shape;
  }
  const out = options.out ?? engine.empty(outShape, dtype);
  if (out.size !== rows * dim) throw new ShapeError(`${op}: out ${shapeString(out.shape)} must hold ${rows} rows of ${dim}`);

  let epilogue = { scale: x, shift: x, rowsPerImage: 1, modStride: 0, scaleOffset: 0, shiftOffset: 0, scaleBase: 0 };
  if (modulation) {
    const { mod, rowsPerImage, shiftOffset, scaleOffset } = modulation;
    if (mod.shape.length !== 2) throw new ShapeError(`${op}: modulation must be [B, k·D], got ${shapeString(mod.shape)}`);
    const [images, modStride] = mod.shape;
    if (!Number.isInteger(rowsPerImage) || rowsPerImage < 1 || images * rowsPerImage !== rows) {
      throw new ShapeError(`${op}: modulation ${shapeString(mod.shape)} with ${rowsPerImage} rows per image does not cover x's ${rows} rows`);
    }
    for (const [name, at] of [['shiftOffset', shiftOffset], ['scaleOffset', scaleOffset]] as const) {
      if (!Number.isInteger(at) || at < 0 || at + dim > modStride) throw new ShapeError(`${op}: ${name} ${at} + D ${dim} exceeds modulation row ${modStride} (${shapeString(mod.shape)})`);
    }
    epilogue = { scale: mod, shift: mod, rowsPerImage, modStride, scaleOffset, shiftOffset, scaleBase: 1 };
  } else if (affine) {
    expectShape(op, 'affine.weight', affine.weight, [dim]);
    expectShape(op, 'affine.bias', affine.bias, [dim]);
    epilogue = { ...epilogue, scale: affine.weight, shift: affine.bias };
  }
  const { scale, shift, ...epilogueUniforms } = epilogue;
  const perRow = (options.strategy ?? (usesCpuKernels(engine) ? 'rows' : 'workgroup')) === 'rows';
  engine.dispatch({
    kernel: perRow ? layerNormRowsKernel : layerNormKernel,
    dtype,
    constants: { WG, EPILOGUE: modulation || affine ? 1 : 0 },
    // Without an epilogue, scale and shift are unused: x stands in (read-only bindings may alias).
    bindings: { x, scale, shift, out },
    uniforms: {
      rows,
      dim,
      xOffset: select?.offset ?? 0,
      groupRows: select?.groupRows ?? rows,
      groupStride: select?.groupStride ?? 0,
      eps: options.eps ?? 1e-6,
      ...epilogueUniforms,
    },
    workgroups: grid(engine, perRow ? ceilDiv(rows, WG) : rows),
    label: modulation ? 'layerNorm+modulate' : op,
  });
  return out;
}

export interface RmsNormOptions {
  /** Default 1e-5. */
  eps?: number;
  /**
   * Fused FiLM: out = RMSNorm(x)·(1 + scale) + shift with scale/shift from film [B, k·C] (or rows
   * firstRow.. of a larger table); offsets default to 0 and C (the SideNet's [scale | shift]).
   */
  film?: Partial<FilmRows> & { film: Tensor };
  /** SiLU of the result (after the FiLM), fused. */
  silu?: boolean;
  out?: Tensor;
}

/** Channel RMSNorm of channels-first x [B, C, ...spatial] (over C, no weight). */
export function rmsNorm(engine: Engine, x: Tensor, options: RmsNormOptions = {}): Tensor {
  const op = 'rmsNorm';
  const film = options.film;
  const dtype = floatDType(op, x, ...(film ? [film.film] : []), ...(options.out ? [options.out] : []));
  if (x.shape.length < 2) throw new ShapeError(`${op}: x must be [B, C, ...spatial], got ${shapeString(x.shape)}`);
  const [batch, channels, ...spatial] = x.shape;
  const hw = spatial.reduce((a, b) => a * b, 1);
  const out = options.out ?? engine.empty(x.shape, dtype);
  if (out.size !== x.size) throw new ShapeError(`${op}: out ${shapeString(out.shape)} must have the size of x ${shapeString(x.shape)}`);
  const filmUniforms = film ? filmRowUniforms(op, { ...film, scaleOffset: film.scaleOffset ?? 0, shiftOffset: film.shiftOffset ?? channels }, batch, channels) : NO_FILM;
  if (batch > engine.limits.maxComputeWorkgroupsPerDimension) throw new ShapeError(`${op}: batch ${batch} exceeds maxComputeWorkgroupsPerDimension`);
  engine.dispatch({
    kernel: rmsNormKernel,
    dtype,
    constants: { WG, FILM: film ? 1 : 0, SILU: options.silu ? 1 : 0 },
    // Without FiLM the film binding is unused: x stands in (read-only bindings may alias).
    bindings: { x, film: film?.film ?? x, out },
    uniforms: { channels, hw, eps: options.eps ?? 1e-5, ...filmUniforms },
    workgroups: [ceilDiv(hw, WG), batch],
    label: `${op}${film ? '+film' : ''}${options.silu ? '+silu' : ''}`,
  });
  return out;
}

export const NORM_VARIANTS: KernelVariantSpec[] = [
  ...[layerNormKernel, layerNormRowsKernel].flatMap((kernel) => bothDTypes(kernel, [0, 1].map((EPILOGUE) => ({ WG, EPILOGUE })))),
  ...bothDTypes(rmsNormKernel, [0, 1].flatMap((FILM) => [0, 1].map((SILU) => ({ WG, FILM, SILU })))),
];
