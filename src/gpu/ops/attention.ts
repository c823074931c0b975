/**
 * Fused multi-head attention over strided views, so the qkv projections of both models are read
 * in place: SiT's token-major [B, T, 3·H·Dh] Linear output and the SideNet's channel-first
 * [B, 3C, HW] 1×1-conv output. See attention.wgsl for the work split.
 */
import attentionSource from '../../shaders/attention.wgsl';
import type { Engine } from '../engine.js';
import { ShapeError } from '../errors.js';
import type { Kernel } from '../pipelines.js';
import { shapeString, type Tensor } from '../tensor.js';
import { bothDTypes, ceilDiv, expectRank, floatDType, type KernelVariantSpec } from './common.js';

/** Head-dim buckets: each is one kernel whose private q/accumulator rows hold that many floats. */
export const ATTENTION_HEAD_DIM_BUCKETS = [32, 64, 128] as const;
const WG = 64;

const attentionKernels: Kernel[] = ATTENTION_HEAD_DIM_BUCKETS.map((dmax) => ({
  name: `attention_d${dmax}`,
  // Private array sizes must be const-expressions, not overrides: the bucket is a prepended const.
  source: `const DMAX = ${dmax}u;\n${attentionSource}`,
}));

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
}

/** out[b, h, i, :] = softmax_j(scale · q[b,h,i,:]·k[b,h,j,:]) v[b,h,j,:], all views strided. Returns out.tensor. */
export function attention(engine: Engine, args: AttentionArgs): Tensor {
  const op = 'attention';
  const { batch, heads, seqQ, headDim, q, k, v, out } = args;
  const seqK = args.seqK ?? seqQ;
  const dtype = floatDType(op, q.tensor, k.tensor, v.tensor, out.tensor);
  for (const [name, n] of Object.entries({ batch, heads, seqQ, seqK, headDim })) {
    if (!Number.isInteger(n) || n < 1) throw new ShapeError(`${op}: ${name} must be a positive integer, got ${n}`);
  }
  const dmax = ATTENTION_HEAD_DIM_BUCKETS.find((d) => headDim <= d);
  if (!dmax) throw new ShapeError(`${op}: headDim ${headDim} exceeds the largest supported (${ATTENTION_HEAD_DIM_BUCKETS.at(-1)})`);
  const dims = [batch, heads, 0, headDim];
  for (const [name, view, tokens] of [['q', q, seqQ], ['k', k, seqK], ['v', v, seqK], ['out', out, seqQ]] as const) {
    dims[2] = tokens;
    const offset = view.offset ?? 0;
    const last = offset + view.strides.reduce((acc, s, i) => acc + s * (dims[i] - 1), 0);
    if (view.strides.some((s) => !Number.isInteger(s) || s < 0) || !Number.isInteger(offset) || offset < 0 || last >= view.tensor.size) {
      throw new ShapeError(
        `${op}: ${name} view (offset ${offset}, strides ${shapeString(view.strides)}) over ${shapeString(dims)} ` +
          `reaches element ${last}, outside its tensor ${shapeString(view.tensor.shape)}`,
      );
    }
  }
  if (batch * heads > engine.limits.maxComputeWorkgroupsPerDimension) {
    throw new ShapeError(`${op}: batch·heads = ${batch * heads} exceeds maxComputeWorkgroupsPerDimension`);
  }
  const scale = args.scale ?? 1 / Math.sqrt(headDim);
  engine.dispatch({
    kernel: attentionKernels[ATTENTION_HEAD_DIM_BUCKETS.indexOf(dmax as never)],
    dtype,
    constants: { WG },
    bindings: { q: q.tensor, k: k.tensor, v: v.tensor, out: out.tensor },
    uniforms: {
      qStrides: q.strides,
      kStrides: k.strides,
      vStrides: v.strides,
      oStrides: out.strides,
      offsets: [q.offset ?? 0, k.offset ?? 0, v.offset ?? 0, out.offset ?? 0],
      seqQ,
      seqK,
      heads,
      headDim,
      scale: scale * Math.LOG2E,
    },
    workgroups: [ceilDiv(seqQ, WG), batch * heads],
    label: op,
  });
  return out.tensor;
}

/**
 * SiT self-attention on the qkv Linear output [B, T, 3·H·Dh] (rows [q | k | v], each head by
 * head). Returns [B, T, H·Dh], token-major, ready for the output projection.
 */
export function attentionTokenMajor(engine: Engine, qkv: Tensor, heads: number, scale?: number): Tensor {
  const op = 'attentionTokenMajor';
  expectRank(op, 'qkv', qkv, 3);
  const [batch, seq, width3] = qkv.shape;
  if (width3 % (3 * heads) !== 0) throw new ShapeError(`${op}: qkv ${shapeString(qkv.shape)} last dim is not 3·heads·headDim for ${heads} heads`);
  const width = width3 / 3;
  const headDim = width / heads;
  const out = engine.empty([batch, seq, width], qkv.dtype);
  const strides = [seq * width3, headDim, width3, 1] as const;
  return attention(engine, {
    batch, heads, seqQ: seq, headDim, scale,
    q: { tensor: qkv, strides },
    k: { tensor: qkv, offset: width, strides },
    v: { tensor: qkv, offset: 2 * width, strides },
    out: { tensor: out, strides: [seq * width, headDim, width, 1] },
  });
}

/**
 * SideNet attention on the channel-first qkv conv output [B, 3C, H, W] or [B, 3C, HW] (channel =
 * which·C + head·Dh + d). Returns channel-first [B, C, ...spatial].
 */
export function attentionChannelFirst(engine: Engine, qkv: Tensor, heads: number, scale?: number): Tensor {
  const op = 'attentionChannelFirst';
  if (qkv.shape.length !== 3 && qkv.shape.length !== 4) throw new ShapeError(`${op}: qkv must be [B, 3C, HW] or [B, 3C, H, W], got ${shapeString(qkv.shape)}`);
  const [batch, channels3, ...spatial] = qkv.shape;
  if (channels3 % (3 * heads) !== 0) throw new ShapeError(`${op}: qkv ${shapeString(qkv.shape)} channels are not 3·heads·headDim for ${heads} heads`);
  const seq = spatial.reduce((a, b) => a * b, 1);
  const channels = channels3 / 3;
  const headDim = channels / heads;
  const out = engine.empty([batch, channels, ...spatial], qkv.dtype);
  const strides = [channels3 * seq, headDim * seq, 1, seq] as const;
  return attention(engine, {
    batch, heads, seqQ: seq, headDim, scale,
    q: { tensor: qkv, strides },
    k: { tensor: qkv, offset: channels * seq, strides },
    v: { tensor: qkv, offset: 2 * channels * seq, strides },
    out: { tensor: out, strides: [channels * seq, headDim * seq, 1, seq] },
  });
}

export const ATTENTION_VARIANTS: KernelVariantSpec[] = attentionKernels.flatMap((kernel) => bothDTypes(kernel, [{ WG }]));
