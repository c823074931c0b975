/**
 * The arguments of the strided attention ops (attention.ts, flash-attention.ts) and their one
 * shared check, in a module of its own so the two ops can import it without a cycle.
 */
import type { Engine } from '../engine.js';
import { ShapeError } from '../errors.js';
import type { StorageDType } from '../pipelines.js';
import { shapeString, type Tensor } from '../tensor.js';
import { expectPositiveInteger, floatDType } from './common.js';

/** A strided view of a [batch, heads, tokens, headDim] operand inside a tensor. */
export interface AttentionView {
  tensor: Tensor;
  /** Element offset of (0, 0, 0, 0). Default 0. */
  offset?: number;
  /** Element strides of (batch, head, token, dim). */
  strides: readonly [number, number, number, number];
}

export interface AttentionArgs {
  batch: number;
  heads: number;
  /** Query tokens. */
  seqQ: number;
  /** Key/value tokens (default seqQ). */
  seqK?: number;
  headDim: number;
  q: AttentionView;
  k: AttentionView;
  v: AttentionView;
  /** Output tensor and its strides; the tensor must not be one of the inputs' buffers. */
  out: AttentionView;
  /** Softmax scale, default headDim^-0.5. */
  scale?: number;
  /**
   * For a backward pass: f32 [batch·heads·seqQ, 2]; the kernel writes each query's base-2
   * log-sum-exp at [(b·heads + h)·seqQ + i, 0] (attentionChannelFirstBackward reads it).
   */
  stats?: Tensor;
}

/**
 * Checks the sizes, every view against its tensor, the grid limit and the stats buffer; returns
 * the key count and the storage dtype. Head dims above `maxHeadDim` are refused.
 */
export function checkAttentionArgs(op: string, engine: Engine, args: AttentionArgs, maxHeadDim: number): { seqK: number; dtype: StorageDType } {
  const { batch, heads, seqQ, headDim, q, k, v, out } = args;
  const seqK = args.seqK ?? seqQ;
  const dtype = floatDType(op, q.tensor, k.tensor, v.tensor, out.tensor);
  for (const [name, n] of Object.entries({ batch, heads, seqQ, seqK, headDim })) expectPositiveInteger(op, name, n);
  if (headDim > maxHeadDim) throw new ShapeError(`${op}: headDim ${headDim} exceeds the largest supported (${maxHeadDim})`);
  const dims = [batch, heads, 0, headDim];
  for (const [name, view, tokens] of [['q', q, seqQ], ['k', k, seqK], ['v', v, seqK], ['out', out, seqQ]] as const) {
    dims[2] = tokens;
    const offset = view.offset ?? 0;
    const last = offset + view.strides.reduce((acc, s, i) => acc + s * (dims[i] - 1), 0);
    if (view.strides.length !== 4 || view.strides.some((s) => !Number.isInteger(s) || s < 0) || !Number.isInteger(offset) || offset < 0 || last >= view.tensor.size) {
      throw new ShapeError(
        `${op}: ${name} view (offset ${offset}, strides ${shapeString(view.strides)}) over ${shapeString(dims)} ` +
          `reaches element ${last}, outside its tensor ${shapeString(view.tensor.shape)}`,
      );
    }
  }
  if (batch * heads > engine.limits.maxComputeWorkgroupsPerDimension) {
    throw new ShapeError(`${op}: batch·heads = ${batch * heads} exceeds maxComputeWorkgroupsPerDimension`);
  }
  checkAttentionStats(op, args.stats, batch * heads * seqQ);
  return { seqK, dtype };
}

/** An attention op's optional stats output must be f32 [rows, 2], one row per (batch, head, query). */
export function checkAttentionStats(op: string, stats: Tensor | undefined, rows: number): void {
  if (stats && (stats.dtype !== 'f32' || stats.size !== rows * 2)) {
    throw new ShapeError(`${op}: stats must be f32 [${rows}, 2] (batch·heads·seqQ rows), got ${stats.dtype} ${shapeString(stats.shape)}`);
  }
}

/**
 * The bindings and uniforms both strided attention kernels declare (attention.wgsl,
 * flash_attention.wgsl), scores in base 2. `stats` is args.stats or a scratch buffer.
 */
export function stridedAttentionBindings(args: AttentionArgs, seqK: number, stats: Tensor) {
  const { q, k, v, out } = args;
  return {
    bindings: { q: q.tensor, k: k.tensor, v: v.tensor, out: out.tensor, stats },
    uniforms: {
      qStrides: q.strides,
      kStrides: k.strides,
      vStrides: v.strides,
      oStrides: out.strides,
      offsets: [q.offset ?? 0, k.offset ?? 0, v.offset ?? 0, out.offset ?? 0],
      seqQ: args.seqQ,
      seqK,
      heads: args.heads,
      headDim: args.headDim,
      scale: (args.scale ?? 1 / Math.sqrt(args.headDim)) * Math.LOG2E,
    },
  };
}
