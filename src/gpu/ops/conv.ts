/**
 * Convolutions, channels-first: 3x3 (padding 1, stride 1), depthwise 3x3, the SideNet's fused
 * convs, and 1x1 (conv1x1: dedicated kernels for small channel counts, the matmul otherwise).
 */
import conv1x1Source from '../../shaders/conv1x1.wgsl';
import conv1x1TiledSource from '../../shaders/conv1x1_tiled.wgsl';
import conv3x3Source from '../../shaders/conv3x3.wgsl';
import conv3x3TiledSource from '../../shaders/conv3x3_tiled.wgsl';
import conv3x3NormHeadSource from '../../shaders/conv3x3_norm_head.wgsl';
import conv3x3PairSource from '../../shaders/conv3x3_pair.wgsl';
import conv3x3TapsSource from '../../shaders/conv3x3_taps.wgsl';
import depthwise3x3Source from '../../shaders/depthwise3x3.wgsl';
import depthwise3x3NormSource from '../../shaders/depthwise3x3_norm.wgsl';
import depthwiseRow4Source from '../../shaders/depthwise_row4.wgsl';
import depthwise3x3TiledSource from '../../shaders/depthwise3x3_tiled.wgsl';
import type { Engine } from '../engine.js';
import { ShapeError } from '../errors.js';
import type { Kernel, StorageDType } from '../pipelines.js';
import { usesCpuKernels } from './autotune.js';
import { matmul } from './matmul.js';
import { shapeString, type Tensor } from '../tensor.js';
import { bothDTypes, ceilDiv, expectPositiveInteger, expectRank, expectShape, floatDType, grid, type KernelVariantSpec } from './common.js';
import { filmRowUniforms, NO_FILM, type FilmRows } from './film.js';

export const conv1x1Kernel: Kernel = { name: 'conv1x1', source: conv1x1Source };
/** The GPU-family body of conv1x1 (workgroup-memory weight block and input tile). */
export const conv1x1TiledKernel: Kernel = { name: 'conv1x1_tiled', source: conv1x1TiledSource };
export const conv3x3Kernel: Kernel = { name: 'conv3x3', source: conv3x3Source };
/** The GPU-profile body of conv3x3 (workgroup-memory input and weight tiles). */
export const conv3x3TiledKernel: Kernel = { name: 'conv3x3_tiled', source: conv3x3TiledSource };
export const depthwise3x3Kernel: Kernel = { name: 'depthwise3x3', source: depthwise3x3Source };
export const depthwise3x3NormKernel: Kernel = { name: 'depthwise3x3_norm', source: depthwiseRow4Source + depthwise3x3NormSource };
/** The GPU-profile body of the depthwise convs, plain and normed (workgroup-memory tiles). */
export const depthwise3x3TiledKernel: Kernel = { name: 'depthwise3x3_tiled', source: depthwise3x3TiledSource };
export const conv3x3NormHeadKernel: Kernel = { name: 'conv3x3_norm_head', source: conv3x3TapsSource + conv3x3NormHeadSource };
export const conv3x3PairKernel: Kernel = { name: 'conv3x3_pair', source: conv3x3TapsSource + conv3x3PairSource };

const WG = 64;
/** Output channels and pixels (of one row) per thread; fixed in the WGSL. */
const CONV_CO_PER_THREAD = 4;
const CONV_PX_PER_THREAD = 8;
/** conv3x3_tiled.wgsl: output tile side and output channels per workgroup. */
const CONV_TILE = 16;
const CONV_TILED_CO = 8;

/**
 * out = conv3x3(x, weight) + bias. x [B, Cin, H, W], weight [Cout, Cin, 3, 3] (PyTorch
 * layout), bias [Cout] or none -> [B, Cout, H, W].
 */
export function conv3x3(engine: Engine, x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  return convolve(engine, 'conv3x3', x, weight, bias ?? undefined, false);
}

/**
 * out = conv3x3(upsampleNearest2x(x), weight) + bias: x [B, Cin, H, W] -> [B, Cout, 2H, 2W],
 * the VAE decoder's upsampler. The upsampling is fused into the conv's input indexing, so the
 * 4x larger upsampled input is never stored.
 */
export function conv3x3Upsample2x(engine: Engine, x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  return convolve(engine, 'conv3x3Upsample2x', x, weight, bias ?? undefined, false, true);
}

/** Which output rows of an image a banded conv computes, and which input rows its x holds. */
export interface ConvRowBand {
  /** Output rows [start, start + count) of the image. */
  start: number;
  count: number;
  /** Image height in output rows (zero padding past its edges). */
  height: number;
  /** Image row (input space: half the output's with upsampling) of x's first row. */
  inputStart: number;
}

/**
 * Rows [first, end) of the input that output rows [start, start + count) of an image `height`
 * rows tall tap: one row of halo each side, halved (nearest ×2) when upsampling.
 */
export function convInputRows(start: number, count: number, height: number, upsample: boolean): [number, number] {
  const shift = upsample ? 1 : 0;
  return [Math.max(start - 1, 0) >> shift, (Math.min(start + count, height - 1) >> shift) + 1];
}

/**
 * conv3x3 (or conv3x3Upsample2x) of one band of output rows, for images whose activations do
 * not fit one binding: x [B, Cin, rows, W] holds input rows [band.inputStart, +rows), which must
 * cover convInputRows(band); the result is [B, Cout, band.count, W_out], equal to those rows of
 * the whole-image conv.
 */
export function conv3x3Band(engine: Engine, x: Tensor, weight: Tensor, bias: Tensor | null | undefined, band: ConvRowBand, upsample = false): Tensor {
  const op = upsample ? 'conv3x3Upsample2xBand' : 'conv3x3Band';
  expectRank(op, 'x', x, 4);
  const { start, count, height, inputStart } = band;
  const badHeight = upsample && height % 2 !== 0;
  if (![start, count, height, inputStart].every(Number.isSafeInteger) || start < 0 || count < 1 || start + count > height || inputStart < 0 || badHeight) {
    throw new ShapeError(`${op}: rows [${start}, ${start + count}) are not a band of an image ${height} rows tall${upsample ? ' (even when upsampled)' : ''}, x from row ${inputStart}`);
  }
  const [first, end] = convInputRows(start, count, height, upsample);
  if (first < inputStart || end > inputStart + x.shape[2]) {
    throw new ShapeError(`${op}: output rows [${start}, ${start + count}) of ${height} need input rows [${first}, ${end}), but x ${shapeString(x.shape)} holds [${inputStart}, ${inputStart + x.shape[2]})`);
  }
  return convolve(engine, op, x, weight, bias ?? undefined, false, upsample, band);
}

/**
 * Input gradient of conv3x3: dy [B, Cout, H, W] and the forward weight [Cout, Cin, 3, 3]
 * -> dx [B, Cin, H, W], the same kernel reading the weight transposed and flipped.
 */
export function conv3x3InputGrad(engine: Engine, dy: Tensor, weight: Tensor): Tensor {
  return convolve(engine, 'conv3x3InputGrad', dy, weight, undefined, true);
}

function convolve(engine: Engine, op: string, x: Tensor, weight: Tensor, bias: Tensor | undefined, transposeFlip: boolean, upsample = false, band?: ConvRowBand): Tensor {
  const dtype = bias ? floatDType(op, x, weight, bias) : floatDType(op, x, weight);
  expectRank(op, 'x', x, 4);
  expectRank(op, 'weight', weight, 4);
  const [batch, cin, inRows] = x.shape;
  const width = upsample ? 2 * x.shape[3] : x.shape[3];
  const { start, count, height, inputStart } = band ?? { start: 0, count: upsample ? 2 * inRows : inRows, height: upsample ? 2 * inRows : inRows, inputStart: 0 };
  const [inAxis, outAxis] = transposeFlip ? [0, 1] : [1, 0];
  const cout = weight.shape[outAxis];
  if (weight.shape[inAxis] !== cin || weight.shape[2] !== 3 || weight.shape[3] !== 3) {
    const expected = transposeFlip ? `[${cin}, Cin, 3, 3]` : `[Cout, ${cin}, 3, 3]`;
    throw new ShapeError(`${op}: weight must be ${expected} for ${transposeFlip ? 'dy' : 'x'} ${shapeString(x.shape)}, got ${shapeString(weight.shape)}`);
  }
  if (bias) expectShape(op, 'bias', bias, [cout]);
  const out = engine.empty([batch, cout, count, width], dtype);
  const constants = { HAS_BIAS: bias ? 1 : 0, TRANSPOSE_FLIP: transposeFlip ? 1 : 0, ...(upsample ? { UPSAMPLE: 1 } : {}) };
  // Without a bias the (unread) bias binding takes the weight: a second read-only binding is legal.
  const bindings = { x, weight, bias: bias ?? weight, out };
  // Output sizes: with UPSAMPLE the kernels halve them to index x.
  const sizes = { cin, cout, height, width, rows: count, rowStart: start, inRows, inRowStart: inputStart };
  const maxGroups = engine.limits.maxComputeWorkgroupsPerDimension;
  if (!usesCpuKernels(engine)) {
    // x2 and outScale are unread here: read-only stand-ins.
    dispatchConv3x3Tiled(engine, op, dtype, { ...bindings, x2: x, outScale: weight }, constants, { ...sizes, ca: cin, batch, copies: 1, eps: 0 }, ' (use conv3x3Band or a smaller batch)');
    return out;
  }
  if (batch > maxGroups) throw new ShapeError(`${op}: batch ${batch} exceeds maxComputeWorkgroupsPerDimension`);
  const xGroups = ceilDiv(width, CONV_PX_PER_THREAD);
  engine.dispatch({
    kernel: conv3x3Kernel,
    dtype,
    constants: { ...constants, WG },
    bindings,
    uniforms: { ...sizes, xGroups },
    // Channel group and batch index from the workgroup id: uniform per workgroup, so weights are shared.
    workgroups: [ceilDiv(count * xGroups, WG), ceilDiv(cout, CONV_CO_PER_THREAD), batch],
    label: op,
  });
  return out;
}

/** Depthwise 3x3 conv without bias: x [B, C, H, W], weight [C, 1, 3, 3] -> [B, C, H, W]. */
export function depthwiseConv3x3(engine: Engine, x: Tensor, weight: Tensor): Tensor {
  return depthwise(engine, 'depthwiseConv3x3', x, weight, false);
}

/** Input gradient of depthwiseConv3x3: the same kernel with the weight flipped in space. */
export function depthwiseConv3x3InputGrad(engine: Engine, dy: Tensor, weight: Tensor): Tensor {
  return depthwise(engine, 'depthwiseConv3x3InputGrad', dy, weight, true);
}

function depthwise(engine: Engine, op: string, x: Tensor, weight: Tensor, flip: boolean): Tensor {
  const dtype = floatDType(op, x, weight);
  expectRank(op, 'x', x, 4);
  const [batch, channels, height, width] = x.shape;
  expectShape(op, 'weight', weight, [channels, 1, 3, 3]);
  const out = engine.empty(x.shape, dtype);
  if (!usesCpuKernels(engine)) {
    depthwiseTiled(engine, op, dtype, { x, weight, film: x, out }, { FLIP: flip ? 1 : 0 }, batch * channels, { channels, height, width, ...NO_FILM, eps: 0, images: batch });
    return out;
  }
  // One invocation per output row.
  const rows = batch * channels * height;
  engine.dispatch({
    kernel: depthwise3x3Kernel,
    dtype,
    constants: { FLIP: flip ? 1 : 0, WG },
    bindings: { x, weight, out },
    uniforms: { channels, height, width, rows },
    workgroups: grid(engine, ceilDiv(rows, WG)),
    label: op,
  });
  return out;
}

export interface NormOnLoadOptions {
  /** Channel RMSNorm epsilon; default 1e-5. */
  eps?: number;
  /** FiLM after the norm: ·(1 + film[b, scaleOffset + c]) + film[b, shiftOffset + c], film [B, k·C] (or rows firstRow.. of a larger table). */
  film?: FilmRows;
  /** SiLU after the norm (and FiLM). */
  silu?: boolean;
  /**
   * Output copies·B images: output image k·B + b is image b under FiLM row k·B + b (one
   * computation per image modulated by several rows; the SideNet's offsets share x). Default 1.
   */
  copies?: number;
}

/**
 * depthwiseConv3x3(act(rmsNorm(x)), weight) in one pass: x [B, C, H, W], weight [C, 1, 3, 3];
 * act is the optional FiLM then the optional SiLU (see NormOnLoadOptions). Zero padding applies
 * to act's output, so it equals the unfused rmsNorm → depthwiseConv3x3. Returns
 * [copies·B, C, H, W] (copies: see NormOnLoadOptions).
 */
export function depthwiseConv3x3Normed(engine: Engine, x: Tensor, weight: Tensor, options: NormOnLoadOptions = {}): Tensor {
  const op = 'depthwiseConv3x3Normed';
  const { film } = options;
  const dtype = floatDType(op, x, weight, ...(film ? [film.film] : []));
  expectRank(op, 'x', x, 4);
  const [batch, channels, height, width] = x.shape;
  expectShape(op, 'weight', weight, [channels, 1, 3, 3]);
  const copies = options.copies ?? 1;
  expectPositiveInteger(op, 'copies', copies);
  if (copies > 1 && !film) throw new ShapeError(`${op}: copies without a film would write identical images; copy the result instead`);
  const images = copies * batch;
  const filmUniforms = film ? filmRowUniforms(op, film, images, channels) : NO_FILM;
  const out = engine.empty([images, channels, height, width], dtype);
  const label = `${op}${film ? '+film' : ''}${options.silu ? '+silu' : ''}`;
  if (!usesCpuKernels(engine)) {
    depthwiseTiled(engine, label, dtype, { x, weight, film: film?.film ?? x, out }, { NORM: 1, FILM: film ? 1 : 0, SILU: options.silu ? 1 : 0 }, images, { channels, height, width, eps: options.eps ?? 1e-5, ...filmUniforms, images: batch });
    return out;
  }
  const chunks = ceilDiv(width, 4);
  const count = images * height * chunks;
  engine.dispatch({
    kernel: depthwise3x3NormKernel,
    dtype,
    constants: { WG, FILM: film ? 1 : 0, SILU: options.silu ? 1 : 0 },
    // Without FiLM the film binding is unused: x stands in (read-only bindings may alias).
    bindings: { x, weight, film: film?.film ?? x, out },
    uniforms: { channels, height, width, chunks, count, eps: options.eps ?? 1e-5, ...filmUniforms, images: batch },
    workgroups: grid(engine, ceilDiv(count, WG)),
    label,
  });
  return out;
}

/** depthwise3x3_tiled.wgsl over 16x16 tiles; z: planes (plain) or images (NORM). */
function depthwiseTiled(engine: Engine, op: string, dtype: StorageDType, bindings: Record<string, Tensor>, constants: Record<string, number>, z: number, uniforms: Record<string, number>): void {
  const workgroups: [number, number, number] = [ceilDiv(uniforms.width, CONV_TILE), ceilDiv(uniforms.height, CONV_TILE), z];
  const maxGroups = engine.limits.maxComputeWorkgroupsPerDimension;
  if (workgroups.some((n) => n > maxGroups)) throw new ShapeError(`${op}: ${uniforms.height}x${uniforms.width} images, ${z} ${constants.NORM ? 'images' : 'planes'} exceed one dispatch's ${maxGroups} workgroups per dimension`);
  engine.dispatch({ kernel: depthwise3x3TiledKernel, dtype, constants, bindings, uniforms, workgroups, label: op });
}

/**
 * The SideNet's head: outScale[b] · conv3x3(SiLU(rmsNorm(x)), weight, bias). x [B, C, H, W],
 * weight [Cout, C, 3, 3], bias [Cout], outScale [B] -> [B, Cout, H, W]. Meant for few output
 * channels: every invocation computes the norms of its 3x10 input window. inputActivated: x is
 * already SiLU(rmsNorm(·)) (residualBlockOut's headActivation), only the conv, bias and scale run.
 */
export function conv3x3NormHead(engine: Engine, x: Tensor, weight: Tensor, bias: Tensor, outScale: Tensor, eps = 1e-5, options: { inputActivated?: boolean } = {}): Tensor {
  const op = 'conv3x3NormHead';
  const dtype = floatDType(op, x, weight, bias, outScale);
  expectRank(op, 'x', x, 4);
  const [batch, channels, height, width] = x.shape;
  const cout = weight.shape[0];
  expectShape(op, 'weight', weight, [cout, channels, 3, 3]);
  expectShape(op, 'bias', bias, [cout]);
  expectShape(op, 'outScale', outScale, [batch]);
  const out = engine.empty([batch, cout, height, width], dtype);
  const normSilu = options.inputActivated ? 0 : 1;
  if (!usesCpuKernels(engine)) {
    dispatchConv3x3Tiled(engine, op, dtype, { x, x2: x, weight, bias, outScale, out }, { HAS_BIAS: 1, TRANSPOSE_FLIP: 0, NORM_SILU: normSilu, OUT_SCALE: 1 }, wholeImages({ cin: channels, ca: channels, cout, height, width, batch, copies: 1, eps }));
    return out;
  }
  engine.dispatch({
    kernel: conv3x3NormHeadKernel,
    dtype,
    constants: { WG, NORM_SILU: normSilu },
    bindings: { x, weight, bias, outScale, out },
    uniforms: { channels, cout, height, width, xGroups: ceilDiv(width, 8), eps },
    workgroups: [ceilDiv(height * ceilDiv(width, 8), WG), ceilDiv(cout, 4), batch],
    label: op,
  });
  return out;
}

/**
 * conv3x3(concat[a, b] along channels, weight), no bias, stored `copies` times along the batch:
 * a [B, Ca, H, W], b [B, Cb, H, W], weight [Cout, Ca + Cb, 3, 3] -> [copies·B, Cout, H, W], rows
 * k·B + n all equal to image n's conv.
 */
export function conv3x3Pair(engine: Engine, a: Tensor, b: Tensor, weight: Tensor, copies = 1): Tensor {
  const op = 'conv3x3Pair';
  const dtype = floatDType(op, a, b, weight);
  expectRank(op, 'a', a, 4);
  expectRank(op, 'b', b, 4);
  const [batch, ca, height, width] = a.shape;
  const cb = b.shape[1];
  if (b.shape[0] !== batch || b.shape[2] !== height || b.shape[3] !== width) throw new ShapeError(`${op}: b must be [${batch}, Cb, ${height}, ${width}] like a ${shapeString(a.shape)}, got ${shapeString(b.shape)}`);
  const cout = weight.shape[0];
  expectShape(op, 'weight', weight, [cout, ca + cb, 3, 3]);
  expectPositiveInteger(op, 'copies', copies);
  if (batch > engine.limits.maxComputeWorkgroupsPerDimension) throw new ShapeError(`${op}: batch ${batch} exceeds maxComputeWorkgroupsPerDimension`);
  const out = engine.empty([copies * batch, cout, height, width], dtype);
  if (!usesCpuKernels(engine)) {
    dispatchConv3x3Tiled(engine, op, dtype, { x: a, x2: b, weight, bias: weight, outScale: weight, out }, { HAS_BIAS: 0, TRANSPOSE_FLIP: 0, PAIR: 1 }, wholeImages({ cin: ca + cb, ca, cout, height, width, batch, copies, eps: 0 }));
    return out;
  }
  engine.dispatch({
    kernel: conv3x3PairKernel,
    dtype,
    constants: { WG },
    bindings: { a, b, weight, out },
    uniforms: { ca, cb, cout, height, width, batch, copies, xGroups: ceilDiv(width, 8) },
    workgroups: [ceilDiv(height * ceilDiv(width, 8), WG), ceilDiv(cout, 4), batch],
    label: op,
  });
  return out;
}

/** conv3x3_tiled.wgsl's sizes: output rows [rowStart, rowStart + rows) of images `height` tall, from input rows [inRowStart, +inRows). */
interface TiledConvSizes {
  cin: number; ca: number; cout: number; height: number; width: number; batch: number; copies: number; eps: number;
  rows: number; rowStart: number; inRows: number; inRowStart: number;
}

/** Whole-image sizes (the SideNet's fused convs). */
const wholeImages = (s: Omit<TiledConvSizes, 'rows' | 'rowStart' | 'inRows' | 'inRowStart'>): TiledConvSizes => ({ ...s, rows: s.height, rowStart: 0, inRows: s.height, inRowStart: 0 });

/** The GPU family's 3x3 convs (plain, banded, upsampling, and the SideNet's fused options): conv3x3_tiled.wgsl. */
function dispatchConv3x3Tiled(engine: Engine, op: string, dtype: StorageDType, bindings: Record<string, Tensor>, constants: Record<string, number>, s: TiledConvSizes, hint = ''): void {
  const maxGroups = engine.limits.maxComputeWorkgroupsPerDimension;
  const coBlocks = ceilDiv(s.cout, CONV_TILED_CO);
  const workgroups: [number, number, number] = [ceilDiv(s.width, CONV_TILE), ceilDiv(s.rows, CONV_TILE), s.batch * coBlocks];
  if (workgroups.some((n) => n > maxGroups)) throw new ShapeError(`${op}: ${s.rows}x${s.width} outputs of ${s.batch} x ${s.cout} channels exceed one dispatch's ${maxGroups} workgroups per dimension${hint}`);
  engine.dispatch({ kernel: conv3x3TiledKernel, dtype, constants, bindings, uniforms: { ...s, coBlocks }, workgroups, label: op });
}

export interface Conv1x1Options {
  /** Per-output-channel bias [Cout]. */
  bias?: Tensor;
  /** out = residual + conv (+ bias): [B, Cout, H, W], a different buffer from out. */
  residual?: Tensor;
  out?: Tensor;
  /** Force a body: 'direct' (conv1x1.wgsl), 'tiled' (conv1x1_tiled.wgsl) or 'matmul'; default: see conv1x1. */
  variant?: 'direct' | 'tiled' | 'matmul';
}

/** Output channels per thread of conv1x1.wgsl: 8 measured fastest on lavapipe at C = 32. */
const CONV1X1_CO = 8;
/** conv1x1_tiled.wgsl: output channels and pixels per workgroup (fixed in the WGSL). */
const CONV1X1_TILED_CO = 32;
const CONV1X1_TILED_PX = 64;
/** On the GPU family, conv1x1_tiled up to this many output channels, the tiled matmul past it. */
const CONV1X1_TILED_MAX_COUT = 128;

/**
 * 1x1 conv, channels-first: out = weight · x (+ bias) (+ residual) per image, x [B, Cin, H, W],
 * weight [Cout, Cin, 1, 1] (or [Cout, Cin]) -> [B, Cout, H, W]. On CPU adapters a narrow conv
 * (Cout < 48) runs conv1x1.wgsl (~20 % faster than the 4x4 matmul that shape class gets);
 * wider ones run the matmul (regblock16) with the bias and residual in its epilogue. The GPU
 * family runs conv1x1_tiled.wgsl (32 channels × 64 pixels per workgroup) up to Cout 128, the
 * tiled matmul past it: on SwiftShader at the SideNet's shapes (48 images of 16x16, Cin 32)
 * conv1x1_tiled takes 28 ms for Cout 32 and 75 ms for Cout 96 against the matmul's 137 / 264
 * ms, whose 64-row tiles waste half their rows at Cout 32.
 */
export function conv1x1(engine: Engine, x: Tensor, weight: Tensor, opts: Conv1x1Options = {}): Tensor {
  const op = 'conv1x1';
  const { bias, residual } = opts;
  const dtype = floatDType(op, x, weight, ...[bias, residual, opts.out].filter((t): t is Tensor => !!t));
  expectRank(op, 'x', x, 4);
  const [batch, cin, height, width] = x.shape;
  const cout = weight.shape[0];
  const weightOk = (weight.shape.length === 2 || (weight.shape.length === 4 && weight.shape[2] === 1 && weight.shape[3] === 1)) && weight.shape[1] === cin;
  if (!weightOk) throw new ShapeError(`${op}: weight must be [Cout, ${cin}, 1, 1] or [Cout, ${cin}] for x ${shapeString(x.shape)}, got ${shapeString(weight.shape)}`);
  const outShape = [batch, cout, height, width];
  if (bias) expectShape(op, 'bias', bias, [cout]);
  if (residual) expectShape(op, 'residual', residual, outShape);
  if (opts.out) expectShape(op, 'out', opts.out, outShape);
  const out = opts.out ?? engine.empty(outShape, dtype);
  const pixels = height * width;
  const cpu = usesCpuKernels(engine);
  const variant = opts.variant ?? (cpu ? (cout < 48 ? 'direct' : 'matmul') : cout <= CONV1X1_TILED_MAX_COUT ? 'tiled' : 'matmul');
  if (variant === 'matmul') {
    matmul(engine, weight.reshape([cout, cin]), x.reshape([batch, cin, pixels]), {
      bias, biasAxis: 'row', ...(residual ? { epilogue: 'residual', residual: residual.reshape([batch, cout, pixels]) } : {}), out: out.reshape([batch, cout, pixels]),
    });
    return out;
  }
  if (batch > engine.limits.maxComputeWorkgroupsPerDimension) throw new ShapeError(`${op}: batch ${batch} exceeds maxComputeWorkgroupsPerDimension`);
  // Without a bias or residual the weight stands in for the unread binding.
  const bindings = { x, weight, bias: bias ?? weight, residual: residual ?? weight, out };
  if (variant === 'tiled') {
    const pixelBlocks = ceilDiv(pixels, CONV1X1_TILED_PX);
    if (pixelBlocks > engine.limits.maxComputeWorkgroupsPerDimension) throw new ShapeError(`${op}: ${pixels} pixels exceed one dispatch's workgroups per dimension`);
    engine.dispatch({
      kernel: conv1x1TiledKernel,
      dtype,
      constants: { HAS_BIAS: bias ? 1 : 0, RESIDUAL: residual ? 1 : 0 },
      bindings,
      uniforms: { cin, cout, pixels },
      workgroups: [pixelBlocks, ceilDiv(cout, CONV1X1_TILED_CO), batch],
      label: 'matmul:conv1x1_tiled',
    });
    return out;
  }
  engine.dispatch({
    kernel: conv1x1Kernel,
    dtype,
    constants: { WG, CO: CONV1X1_CO, HAS_BIAS: bias ? 1 : 0, RESIDUAL: residual ? 1 : 0 },
    bindings,
    uniforms: { cin, cout, pixels },
    workgroups: [ceilDiv(pixels, 4 * WG), ceilDiv(cout, CONV1X1_CO), batch],
    // 'matmul' in the label: profiles (bench/gpu-report.ts) count 1x1 convs with the matmuls.
    label: 'matmul:conv1x1',
  });
  return out;
}

export const CONV_VARIANTS: KernelVariantSpec[] = [
  ...bothDTypes(conv3x3Kernel, [{ HAS_BIAS: 0, TRANSPOSE_FLIP: 0, WG }, { HAS_BIAS: 1, TRANSPOSE_FLIP: 0, WG }, { HAS_BIAS: 0, TRANSPOSE_FLIP: 1, WG }]),
  ...bothDTypes(conv3x3Kernel, [0, 1].map((HAS_BIAS) => ({ HAS_BIAS, TRANSPOSE_FLIP: 0, WG, UPSAMPLE: 1 }))),
  ...bothDTypes(conv3x3TiledKernel, [
    { HAS_BIAS: 0, TRANSPOSE_FLIP: 0 }, { HAS_BIAS: 1, TRANSPOSE_FLIP: 0 }, { HAS_BIAS: 0, TRANSPOSE_FLIP: 1 },
    { HAS_BIAS: 0, TRANSPOSE_FLIP: 0, UPSAMPLE: 1 }, { HAS_BIAS: 1, TRANSPOSE_FLIP: 0, UPSAMPLE: 1 },
    // The SideNet's head and input conv (conv3x3NormHead, conv3x3Pair on the GPU profile).
    { HAS_BIAS: 1, TRANSPOSE_FLIP: 0, NORM_SILU: 1, OUT_SCALE: 1 }, { HAS_BIAS: 1, TRANSPOSE_FLIP: 0, NORM_SILU: 0, OUT_SCALE: 1 }, { HAS_BIAS: 0, TRANSPOSE_FLIP: 0, PAIR: 1 },
  ]),
  ...bothDTypes(depthwise3x3Kernel, [{ FLIP: 0, WG }, { FLIP: 1, WG }]),
  ...bothDTypes(depthwise3x3NormKernel, [0, 1].flatMap((FILM) => [0, 1].map((SILU) => ({ WG, FILM, SILU })))),
  ...bothDTypes(depthwise3x3TiledKernel, [{ FLIP: 0 }, { FLIP: 1 }, ...[0, 1].flatMap((FILM) => [0, 1].map((SILU) => ({ NORM: 1, FILM, SILU })))]),
  ...bothDTypes(conv3x3NormHeadKernel, [0, 1].map((NORM_SILU) => ({ WG, NORM_SILU }))),
  ...bothDTypes(conv3x3PairKernel, [{ WG }]),
  ...bothDTypes(conv1x1Kernel, [0, 1].flatMap((HAS_BIAS) => [0, 1].map((RESIDUAL) => ({ WG, CO: CONV1X1_CO, HAS_BIAS, RESIDUAL })))),
  ...bothDTypes(conv1x1TiledKernel, [0, 1].flatMap((HAS_BIAS) => [0, 1].map((RESIDUAL) => ({ HAS_BIAS, RESIDUAL })))),
];
