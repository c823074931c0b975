/**
 * Backward ops for training the SideNet (ba-solver.md §3, §5): the gradients of the forward
 * ops in conv.ts, norm.ts, attention.ts, embedding.ts and elementwise.ts, the reductions that
 * every broadcasting op's backward needs (sumToShape), the MSE loss and the squared global
 * gradient norm (sumSquares, for clipping in optim.ts).
 *
 * Every kernel is deterministic: no atomics; reductions sum fixed ranges in a fixed order and,
 * where one pass would leave a GPU idle, write partial sums that a second pass of reduce.wgsl
 * adds up (also in a fixed order), so equal inputs give bit-identical gradients.
 */
import activationBackwardSource from '../../shaders/activation_backward.wgsl';
import attentionBackwardKeySource from '../../shaders/attention_backward_key.wgsl';
import attentionBackwardQuerySource from '../../shaders/attention_backward_query.wgsl';
import conv3x3BackwardWeightSource from '../../shaders/conv3x3_backward_weight.wgsl';
import embeddingBackwardSource from '../../shaders/embedding_backward.wgsl';
import mseSource from '../../shaders/mse.wgsl';
import reduceSource from '../../shaders/reduce.wgsl';
import rmsNormBackwardFilmSource from '../../shaders/rmsnorm_backward_film.wgsl';
import rmsNormBackwardSource from '../../shaders/rmsnorm_backward.wgsl';
import type { Engine } from '../engine.js';
import { ShapeError } from '../errors.js';
import type { Kernel, StorageDType } from '../pipelines.js';
import { shapeString, Tensor } from '../tensor.js';
import { ATTENTION_HEAD_DIM_BUCKETS, AttentionKernels, headDimBucket } from './attention.js';
import { filmRowUniforms, NO_FILM } from './film.js';
import { bothDTypes, ceilDiv, expectPositiveInteger, expectRank, expectShape, floatDType, grid, type KernelVariantSpec } from './common.js';
import { conv3x3InputGrad, depthwiseConv3x3InputGrad } from './conv.js';

export const reduceKernel: Kernel = { name: 'reduce', source: reduceSource };
export const mseKernel: Kernel = { name: 'mse', source: mseSource };
export const activationBackwardKernel: Kernel = { name: 'activation_backward', source: activationBackwardSource };
export const embeddingBackwardKernel: Kernel = { name: 'embedding_backward', source: embeddingBackwardSource };
export const conv3x3BackwardWeightKernel: Kernel = { name: 'conv3x3_backward_weight', source: conv3x3BackwardWeightSource };
export const rmsNormBackwardKernel: Kernel = { name: 'rmsnorm_backward', source: rmsNormBackwardSource };
export const rmsNormBackwardFilmKernel: Kernel = { name: 'rmsnorm_backward_film', source: rmsNormBackwardFilmSource };
// Three (query side) and four (key side) head-dim arrays per row: 8 rows only for the 16-dim bucket.
const BACKWARD_ROWS_ON_CPU = (dmax: number) => (dmax <= 16 ? 8 : 4);
const attentionBackwardQueryKernels = new AttentionKernels('attention_backward_query', attentionBackwardQuerySource, BACKWARD_ROWS_ON_CPU);
const attentionBackwardKeyKernels = new AttentionKernels('attention_backward_key', attentionBackwardKeySource, BACKWARD_ROWS_ON_CPU);

const WG = 256;
const WG_CONV = 64;
const WG_NORM = 64;
const ACTIVATION_OPS = { silu: 1 } as const;

/**
 * How many invocations the split reductions aim for. A reduction with fewer outputs than this
 * is split into chunks whose partial sums a second pass adds; tests lower these to reach both
 * the one-pass and the two-pass paths on tiny shapes.
 */
export const gradTuning = {
  /** conv3x3 / depthwise weight gradients: (chunk, co, ci) invocations. */
  weightGradThreads: 16384,
  /** sumToShape, sumSquares, MSE partials. */
  reduceThreads: 32768,
  /** Fewest reduced elements one invocation sums before the reduction is split further. */
  minPerThread: 32,
};

// ---- reductions ----------------------------------------------------------------------------

/**
 * Sums src viewed as [redSize, outSize] over its first dimension into out (outSize elements),
 * squaring first if asked, times alpha; splits into two or more passes when outSize alone
 * would give too few invocations.
 */
function reduceOuter(engine: Engine, src: Tensor, redSize: number, outSize: number, square: boolean, alpha: number, out: Tensor, label: string): void {
  const chunks = chunkCount(redSize, outSize);
  const first = chunks > 1 ? engine.empty([chunks, outSize], src.dtype) : out;
  dispatchReduce(engine, src, first, {
    outShape: [1, 1, 1, outSize], redShape: [1, 1, 1, redSize], inStrides: [0, 0, 0, 0],
    outSize, redSize, chunk: 0, chunks, alpha: chunks > 1 ? 1 : alpha,
  }, square, true, label);
  if (chunks > 1) {
    reduceOuter(engine, first, chunks, outSize, false, alpha, out, label);
    first.dispose();
  }
}

function chunkCount(redSize: number, outSize: number): number {
  // At least 2 per invocation, so that every further pass shrinks the problem.
  const byWork = Math.ceil(redSize / Math.max(2, gradTuning.minPerThread));
  const byThreads = Math.max(1, Math.floor(gradTuning.reduceThreads / outSize));
  return Math.max(1, Math.min(byWork, byThreads));
}

interface ReduceUniforms {
  outShape: number[];
  redShape: number[];
  inStrides: number[];
  outSize: number;
  redSize: number;
  chunk: number;
  chunks: number;
  alpha: number;
}

function dispatchReduce(engine: Engine, x: Tensor, out: Tensor, u: ReduceUniforms, square: boolean, outer: boolean, label: string) {
  engine.dispatch({
    kernel: reduceKernel,
    dtype: x.dtype as StorageDType,
    constants: { WG, SQUARE: square ? 1 : 0, OUTER: outer ? 1 : 0 },
    bindings: { x, out },
    uniforms: { ...u },
    workgroups: grid(engine, ceilDiv(u.outSize * u.chunks, WG)),
    label,
  });
}

/**
 * Sums x over the dimensions where `shape` broadcasts to x's shape (numpy rules, rank <= 4):
 * the gradient of an input of `shape` that a broadcasting op expanded to x's shape. E.g. bias
 * grads [N] from [M, N], per-channel sums [1, C, 1, 1] from [B, C, H, W]. Returns a new tensor
 * of exactly `shape` (a copy when nothing is reduced), or writes into `out` (any shape of that
 * size, e.g. a parameter's slot in a gradient arena) and returns it.
 */
export function sumToShape(engine: Engine, x: Tensor, shape: readonly number[], out?: Tensor): Tensor {
  const op = 'sumToShape';
  const dtype = floatDType(op, x);
  const ok = shape.length <= x.shape.length && shape.every((d, i) => {
    const xd = x.shape[x.shape.length - shape.length + i];
    return d === xd || d === 1;
  });
  if (!ok || x.shape.length > 4) throw new ShapeError(`${op}: ${shapeString(shape)} does not broadcast to x ${shapeString(x.shape)} (rank <= 4)`);
  out = checkOut(engine, op, 'out', out, shape, dtype);
  const padded = [...Array(x.shape.length - shape.length).fill(1), ...shape];
  reduceInto(engine, x, padded.map((d, i) => d === 1 && x.shape[i] !== 1), out, false, 1, op);
  return out;
}

/**
 * Sums x over the dimensions flagged in `reduced` into out (whose size is the product of the
 * kept extents). Dimensions are collapsed first: a leading reduced block runs as OUTER
 * ([red, out] rows), anything else (e.g. B and H·W around kept C) through 4-D strides.
 */
function reduceInto(engine: Engine, x: Tensor, reduced: boolean[], out: Tensor, square: boolean, alpha: number, label: string): void {
  const groups: { extent: number; reduced: boolean }[] = [];
  x.shape.forEach((extent, i) => {
    if (extent === 1) return;
    const last = groups.at(-1);
    if (last && last.reduced === reduced[i]) last.extent *= extent;
    else groups.push({ extent, reduced: reduced[i] });
  });
  const outSize = groups.filter((g) => !g.reduced).reduce((a, g) => a * g.extent, 1);
  const redSize = groups.filter((g) => g.reduced).reduce((a, g) => a * g.extent, 1);
  if (out.size !== outSize) throw new ShapeError(`${label}: output ${shapeString(out.shape)} must hold ${outSize} sums`);
  const leadingReduced = groups.length <= 1 || (groups.length === 2 && groups[0].reduced);
  if (leadingReduced) {
    reduceOuter(engine, x, redSize, outSize, square, alpha, out, label);
    return;
  }
  while (groups.length < 4) groups.unshift({ extent: 1, reduced: false });
  const inStrides = [0, 0, 0, 0];
  for (let i = 3, s = 1; i >= 0; i--) {
    inStrides[i] = s;
    s *= groups[i].extent;
  }
  let chunks = chunkCount(redSize, outSize);
  const chunk = Math.ceil(redSize / chunks);
  chunks = Math.ceil(redSize / chunk);
  const first = chunks > 1 ? engine.empty([chunks, outSize], x.dtype) : out;
  dispatchReduce(engine, x, first, {
    outShape: groups.map((g) => (g.reduced ? 1 : g.extent)),
    redShape: groups.map((g) => (g.reduced ? g.extent : 1)),
    inStrides, outSize, redSize, chunk, chunks, alpha: chunks > 1 ? 1 : alpha,
  }, square, false, label);
  if (chunks > 1) {
    reduceOuter(engine, first, chunks, outSize, false, alpha, out, label);
    first.dispose();
  }
}

/** Σ x² over all elements -> [1] (e.g. the squared global gradient norm of a flat gradient arena). */
export function sumSquares(engine: Engine, x: Tensor): Tensor {
  const op = 'sumSquares';
  floatDType(op, x);
  const out = engine.empty([1], x.dtype);
  reduceOuter(engine, x, x.size, 1, true, 1, out, op);
  return out;
}

/**
 * Mean squared error of `groups` equal consecutive parts of pred and target (default one: the
 * whole tensors): loss [groups] = mean((pred - target)²) over each part, and
 * grad = scale · 2 · (pred - target) / (part size), the gradient of scale · (each part's loss)
 * with respect to pred (e.g. scale = 1/K for the mean of K chain terms, a part per term).
 */
export function mseLoss(engine: Engine, pred: Tensor, target: Tensor, scale = 1, groups = 1): { loss: Tensor; grad: Tensor } {
  const op = 'mseLoss';
  const dtype = floatDType(op, pred, target);
  if (pred.size !== target.size) throw new ShapeError(`${op}: pred ${shapeString(pred.shape)} and target ${shapeString(target.shape)} differ in size`);
  if (!Number.isInteger(groups) || groups < 1 || pred.size % groups) throw new ShapeError(`${op}: ${groups} groups do not split pred ${shapeString(pred.shape)} evenly`);
  const groupSize = pred.size / groups;
  const threadsPerGroup = Math.max(1, Math.min(Math.ceil(groupSize / gradTuning.minPerThread), Math.ceil(gradTuning.reduceThreads / groups)));
  const threads = groups * threadsPerGroup;
  const grad = engine.empty(pred.shape, dtype);
  const partial = engine.empty([groups, threadsPerGroup], dtype);
  engine.dispatch({
    kernel: mseKernel,
    dtype,
    constants: { WG },
    bindings: { pred, targets: target, grad, partial },
    uniforms: { groupSize, threadsPerGroup, threads, gradScale: (2 * scale) / groupSize },
    workgroups: grid(engine, ceilDiv(threads, WG)),
    label: op,
  });
  const loss = engine.empty([groups], dtype);
  reduceInto(engine, partial, [false, true], loss, false, 1 / groupSize, op);
  partial.dispose();
  return { loss, grad };
}

// ---- activations ---------------------------------------------------------------------------

/** dx = dy · SiLU'(x) for out = SiLU(x). */
export function siluBackward(engine: Engine, x: Tensor, dy: Tensor): Tensor {
  const op = 'siluBackward';
  const dtype = floatDType(op, x, dy);
  if (x.size !== dy.size) throw new ShapeError(`${op}: dy ${shapeString(dy.shape)} must have the size of x ${shapeString(x.shape)}`);
  const dx = engine.empty(x.shape, dtype);
  engine.dispatch({
    kernel: activationBackwardKernel,
    dtype,
    constants: { OP: ACTIVATION_OPS.silu, WG },
    bindings: { x, dy, dx },
    uniforms: { n: x.size },
    workgroups: grid(engine, ceilDiv(x.size, WG)),
    label: op,
  });
  return dx;
}

// ---- convolutions --------------------------------------------------------------------------

export interface Conv3x3BackwardOptions {
  /** Compute dx (default true; false for a first layer whose input needs no gradient). */
  input?: boolean;
  /** Compute dbias = Σ dy over batch and pixels (default false). */
  bias?: boolean;
  /** Write dweight / dbias here (e.g. a parameter's slot in a gradient arena) instead of new tensors. */
  out?: { dweight?: Tensor; dbias?: Tensor };
}

/**
 * Gradients of out = conv3x3(x, weight) + bias: x [B, Cin, H, W], weight [Cout, Cin, 3, 3],
 * dy [B, Cout, H, W] -> dx [B, Cin, H, W], dweight [Cout, Cin, 3, 3], dbias [Cout].
 */
export function conv3x3Backward(
  engine: Engine, x: Tensor, weight: Tensor, dy: Tensor, options: Conv3x3BackwardOptions = {},
): { dx?: Tensor; dweight: Tensor; dbias?: Tensor } {
  const op = 'conv3x3Backward';
  const dtype = floatDType(op, x, weight, dy);
  expectRank(op, 'x', x, 4);
  expectRank(op, 'weight', weight, 4);
  const [batch, cin, height, width] = x.shape;
  const cout = weight.shape[0];
  if (weight.shape[1] !== cin || weight.shape[2] !== 3 || weight.shape[3] !== 3) {
    throw new ShapeError(`${op}: weight must be [Cout, ${cin}, 3, 3] for x ${shapeString(x.shape)}, got ${shapeString(weight.shape)}`);
  }
  expectShape(op, 'dy', dy, [batch, cout, height, width]);
  checkBatch(engine, op, batch);
  // dx is the forward kernel over dy with the weight transposed and flipped.
  const dx = options.input ?? true ? conv3x3InputGrad(engine, dy, weight) : undefined;
  const dweight = checkOut(engine, op, 'dweight', options.out?.dweight, weight.shape, dtype);
  weightGrad(engine, x, dy, dweight, { cinPer: cin, cout, xChannels: cin, dwStride: 0 }, `${op}:weight`);
  let dbias: Tensor | undefined;
  if (options.bias) {
    dbias = checkOut(engine, op, 'dbias', options.out?.dbias, [cout], dtype);
    reduceInto(engine, dy, [true, false, true, true], dbias, false, 1, `${op}:bias`);
  }
  return { dx, dweight, dbias };
}

/**
 * Gradients of out = depthwiseConv3x3(x, weight): x, dy [B, C, H, W], weight [C, 1, 3, 3]; dweight
 * goes to `dweightOut` when given (e.g. a parameter's slot in a gradient arena).
 */
export function depthwiseConv3x3Backward(engine: Engine, x: Tensor, weight: Tensor, dy: Tensor, dweightOut?: Tensor): { dx: Tensor; dweight: Tensor } {
  const op = 'depthwiseConv3x3Backward';
  const dtype = floatDType(op, x, weight, dy);
  expectRank(op, 'x', x, 4);
  const [batch, channels, height, width] = x.shape;
  expectShape(op, 'weight', weight, [channels, 1, 3, 3]);
  expectShape(op, 'dy', dy, x.shape);
  const dx = depthwiseConv3x3InputGrad(engine, dy, weight);
  const dweight = checkOut(engine, op, 'dweight', dweightOut, weight.shape, dtype);
  weightGrad(engine, x, dy, dweight, { cinPer: 1, cout: channels, xChannels: channels, dwStride: 1 }, `${op}:weight`);
  return { dx, dweight };
}

/** Weight gradient of a 3x3 conv (dense or depthwise) into dweight, split over image rows when Cout·CinPer is small. */
function weightGrad(
  engine: Engine, x: Tensor, dy: Tensor, dweight: Tensor,
  layout: { cinPer: number; cout: number; xChannels: number; dwStride: number }, label: string,
) {
  const [batch, , height, width] = x.shape;
  const pairs = layout.cout * layout.cinPer;
  const rows = batch * height;
  let chunks = Math.max(1, Math.min(rows, Math.floor(gradTuning.weightGradThreads / pairs)));
  const rowsPerChunk = Math.ceil(rows / chunks);
  chunks = Math.ceil(rows / rowsPerChunk);
  const partial = chunks > 1 ? engine.empty([chunks, pairs * 9], dweight.dtype) : dweight;
  engine.dispatch({
    kernel: conv3x3BackwardWeightKernel,
    dtype: dweight.dtype as StorageDType,
    constants: { WG: WG_CONV },
    bindings: { x, dy, dw: partial },
    uniforms: { ...layout, height, width, rows, rowsPerChunk, chunks },
    workgroups: grid(engine, ceilDiv(pairs * chunks, WG_CONV)),
    label,
  });
  if (chunks > 1) {
    reduceOuter(engine, partial, chunks, pairs * 9, false, 1, dweight, label);
    partial.dispose();
  }
}

/** A caller's output tensor (any shape of the right size and dtype), or a new one of `shape`. */
function checkOut(engine: Engine, op: string, name: string, out: Tensor | undefined, shape: readonly number[], dtype: StorageDType): Tensor {
  if (!out) return engine.empty(shape, dtype);
  out.assertAlive();
  if (out.size !== shape.reduce((a, b) => a * b, 1) || out.dtype !== dtype) {
    throw new ShapeError(`${op}: ${name} output must hold ${shapeString(shape)} ${dtype}, got ${shapeString(out.shape)} ${out.dtype}`);
  }
  return out;
}

function checkBatch(engine: Engine, op: string, batch: number) {
  if (batch > engine.limits.maxComputeWorkgroupsPerDimension) throw new ShapeError(`${op}: batch ${batch} exceeds maxComputeWorkgroupsPerDimension`);
}

// ---- normalisation -------------------------------------------------------------------------

export interface RmsNormBackwardOptions {
  /** Default 1e-5 (as rmsNorm). */
  eps?: number;
  /** The forward's FiLM: out = RMSNorm(x)·(1 + scale) + shift, scale/shift read from film [B, k·C]. */
  film?: { film: Tensor; scaleOffset?: number; shiftOffset?: number };
  /** The forward applied SiLU to its result (rmsNorm's `silu`). */
  silu?: boolean;
}

/**
 * Gradients of the channel RMSNorm (norm.ts rmsNorm) of x [B, C, ...spatial], with optional
 * FiLM and SiLU (dy is the gradient of the forward's output). dx has x's shape; dfilm has
 * film's shape, with d(scale) and d(shift) at their offsets and zeros in its other columns.
 */
export function rmsNormBackward(engine: Engine, x: Tensor, dy: Tensor, options: RmsNormBackwardOptions = {}): { dx: Tensor; dfilm?: Tensor } {
  const op = 'rmsNormBackward';
  const film = options.film;
  const dtype = floatDType(op, x, dy, ...(film ? [film.film] : []));
  if (x.shape.length < 2) throw new ShapeError(`${op}: x must be [B, C, ...spatial], got ${shapeString(x.shape)}`);
  expectShape(op, 'dy', dy, x.shape);
  const [batch, channels, ...spatial] = x.shape;
  const hw = spatial.reduce((a, b) => a * b, 1);
  checkBatch(engine, op, batch);
  // No firstRow here: dfilm is written with film's own layout.
  const { filmStride, scaleOffset, shiftOffset } = film
    ? filmRowUniforms(op, { film: film.film, scaleOffset: film.scaleOffset ?? 0, shiftOffset: film.shiftOffset ?? channels }, batch, channels)
    : NO_FILM;
  const dx = engine.empty(x.shape, dtype);
  const rstd = engine.empty([batch, hw], dtype);
  engine.dispatch({
    kernel: rmsNormBackwardKernel,
    dtype,
    constants: { WG: WG_NORM, FILM: film ? 1 : 0, SILU: options.silu ? 1 : 0 },
    bindings: { x, dy, film: film?.film ?? x, dx, rstd },
    uniforms: { channels, hw, filmStride, scaleOffset, shiftOffset, eps: options.eps ?? 1e-5 },
    workgroups: [ceilDiv(hw, WG_NORM), batch],
    label: op,
  });
  let dfilm: Tensor | undefined;
  if (film) {
    dfilm = engine.empty(film.film.shape, dtype);
    const total = batch * filmStride;
    engine.dispatch({
      kernel: rmsNormBackwardFilmKernel,
      dtype,
      constants: { WG: WG_NORM, SILU: options.silu ? 1 : 0 },
      bindings: { x, dy, rstd, film: film.film, dfilm },
      uniforms: { channels, hw, filmStride, scaleOffset, shiftOffset, total },
      workgroups: grid(engine, ceilDiv(total, WG_NORM)),
      label: `${op}:film`,
    });
  }
  rstd.dispose();
  return { dx, dfilm };
}

// ---- attention -----------------------------------------------------------------------------

/**
 * Gradient of attentionChannelFirst (attention.ts): qkv [B, 3C, H, W] or [B, 3C, HW] (channel =
 * which·C + head·Dh + d), dout [B, C, ...spatial] -> dqkv in qkv's layout. The softmax is
 * recomputed (two kernels: query side dq, key side dk and dv); scale defaults to Dh^-0.5.
 * `forward`: the forward's output and the stats it wrote (attentionChannelFirst with stats, same
 * scale): the query side then skips recomputing the softmax statistics (stats is overwritten).
 */
export function attentionChannelFirstBackward(
  engine: Engine, qkv: Tensor, heads: number, dout: Tensor, scale?: number, forward?: { out: Tensor; stats: Tensor },
): Tensor {
  const op = 'attentionChannelFirstBackward';
  const dtype = floatDType(op, qkv, dout);
  if (qkv.shape.length !== 3 && qkv.shape.length !== 4) throw new ShapeError(`${op}: qkv must be [B, 3C, HW] or [B, 3C, H, W], got ${shapeString(qkv.shape)}`);
  const [batch, channels3, ...spatial] = qkv.shape;
  if (!Number.isInteger(heads) || heads < 1 || channels3 % (3 * heads) !== 0) throw new ShapeError(`${op}: qkv ${shapeString(qkv.shape)} channels are not 3·heads·headDim for ${heads} heads`);
  const seq = spatial.reduce((a, b) => a * b, 1);
  const channels = channels3 / 3;
  const headDim = channels / heads;
  expectShape(op, 'dout', dout, [batch, channels, ...spatial]);
  if (!headDimBucket(headDim)) throw new ShapeError(`${op}: headDim ${headDim} exceeds the largest supported (${ATTENTION_HEAD_DIM_BUCKETS.at(-1)})`);
  if (batch * heads > engine.limits.maxComputeWorkgroupsPerDimension) throw new ShapeError(`${op}: batch·heads = ${batch * heads} exceeds maxComputeWorkgroupsPerDimension`);
  if (forward) {
    expectShape(op, 'forward.out', forward.out, dout.shape);
    if (forward.out.dtype !== dtype || forward.stats.dtype !== 'f32' || forward.stats.size !== batch * heads * seq * 2) {
      throw new ShapeError(`${op}: forward.stats must be f32 [${batch * heads * seq}, 2] and forward.out ${dtype}, got ${forward.stats.dtype} ${shapeString(forward.stats.shape)} and ${forward.out.dtype}`);
    }
  }
  const dqkv = engine.empty(qkv.shape, dtype);
  const stats = forward?.stats ?? engine.empty([batch * heads * seq, 2], 'f32');
  const uniforms = {
    qkvStrides: [channels3 * seq, headDim * seq, 1, seq],
    oStrides: [channels * seq, headDim * seq, 1, seq],
    offsets: [0, channels * seq, 2 * channels * seq, 0],
    seq,
    heads,
    headDim,
    scale: scale ?? 1 / Math.sqrt(headDim),
  };
  const query = attentionBackwardQueryKernels.pick(engine, headDim);
  engine.dispatch({
    kernel: query.kernel,
    dtype,
    constants: { WG: query.tiling.wg, FORWARD_STATS: forward ? 1 : 0 },
    // Without the forward's output, qkv stands in for `o` (never read; read-only bindings may alias).
    bindings: { qkv, dout, dqkv, stats, o: forward?.out ?? qkv },
    uniforms,
    workgroups: [ceilDiv(seq, query.tiling.wg * query.tiling.rows), batch * heads],
    label: `${op}:query`,
  });
  const key = attentionBackwardKeyKernels.pick(engine, headDim);
  engine.dispatch({
    kernel: key.kernel,
    dtype,
    constants: { WG: key.tiling.wg },
    bindings: { qkv, dout, stats, dqkv },
    uniforms,
    workgroups: [ceilDiv(seq, key.tiling.wg * key.tiling.rows), batch * heads],
    label: `${op}:key`,
  });
  if (stats !== forward?.stats) stats.dispose();
  return dqkv;
}

// ---- embedding -----------------------------------------------------------------------------

/**
 * Gradient of the embedding gather out[n] = table[ids[n]]: dtable [rows, D] with
 * dtable[r] = Σ over n with ids[n] = r of dy[n] (zeros for unused rows); ids is an i32 tensor
 * [N] (or host ids), dy [N, D]. Ids outside 0..rows-1 contribute nothing. Writes into `out`
 * when given (e.g. the table's slot in a gradient arena).
 */
export function embeddingBackward(engine: Engine, ids: Tensor | readonly number[] | Int32Array, dy: Tensor, rows: number, out?: Tensor): Tensor {
  const op = 'embeddingBackward';
  const dtype = floatDType(op, dy);
  expectRank(op, 'dy', dy, 2);
  const [count, dim] = dy.shape;
  expectPositiveInteger(op, 'rows', rows);
  let idTensor: Tensor;
  if (ids instanceof Tensor) {
    if (ids.dtype !== 'i32') throw new ShapeError(`${op}: ids must be an i32 tensor, got ${ids.dtype} ${shapeString(ids.shape)}`);
    idTensor = ids;
  } else {
    idTensor = engine.upload(ids, [ids.length], 'i32');
  }
  expectShape(op, 'ids', idTensor, [count]);
  const dtable = checkOut(engine, op, 'dtable', out, [rows, dim], dtype);
  const total = rows * dim;
  engine.dispatch({
    kernel: embeddingBackwardKernel,
    dtype,
    constants: { WG },
    bindings: { ids: idTensor, dy, dtable },
    uniforms: { rows, dim, count, total },
    workgroups: grid(engine, ceilDiv(total, WG)),
    label: op,
  });
  if (idTensor !== ids) idTensor.dispose();
  return dtable;
}

export const GRAD_VARIANTS: KernelVariantSpec[] = [
  ...bothDTypes(reduceKernel, [0, 1].flatMap((SQUARE) => [0, 1].map((OUTER) => ({ WG, SQUARE, OUTER })))),
  ...bothDTypes(mseKernel, [{ WG }]),
  ...bothDTypes(activationBackwardKernel, Object.values(ACTIVATION_OPS).map((OP) => ({ OP, WG }))),
  ...bothDTypes(embeddingBackwardKernel, [{ WG }]),
  ...bothDTypes(conv3x3BackwardWeightKernel, [{ WG: WG_CONV }]),
  ...bothDTypes(rmsNormBackwardKernel, [0, 1].flatMap((FILM) => [0, 1].map((SILU) => ({ WG: WG_NORM, FILM, SILU })))),
  ...bothDTypes(rmsNormBackwardFilmKernel, [0, 1].map((SILU) => ({ WG: WG_NORM, SILU }))),
  ...attentionBackwardQueryKernels.variants([{ FORWARD_STATS: 0 }, { FORWARD_STATS: 1 }]),
  ...attentionBackwardKeyKernels.variants(),
];
