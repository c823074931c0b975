/** Copies between tensors: runs of elements, strided rows, concatenation along dimension 0 or 1. */
import copySource from '../../shaders/copy.wgsl';
import type { Engine } from '../engine.js';
import { ShapeError } from '../errors.js';
import type { Kernel } from '../pipelines.js';
import { shapeSize, shapeString, type Tensor } from '../tensor.js';
import { bothDTypes, ceilDiv, floatDType, grid, type KernelVariantSpec } from './common.js';

export const copyKernel: Kernel = { name: 'copy', source: copySource };
const WG = 256;

export interface RowCopy {
  rows: number;
  /** Elements per row. */
  inner: number;
  srcStride: number;
  srcOffset: number;
  dstStride: number;
  dstOffset: number;
}

/** dst[dstOffset + r·dstStride + c] = src[srcOffset + r·srcStride + c] for r < rows, c < inner. */
export function copyRows(engine: Engine, src: Tensor, dst: Tensor, r: RowCopy, label = 'copy'): void {
  const dtype = floatDType('copy', src, dst);
  const end = (offset: number, stride: number) => (r.rows ? offset + (r.rows - 1) * stride + r.inner : 0);
  if (end(r.srcOffset, r.srcStride) > src.size || end(r.dstOffset, r.dstStride) > dst.size) {
    throw new ShapeError(`copy: ${r.rows} rows of ${r.inner} from offset ${r.srcOffset} of ${shapeString(src.shape)} to offset ${r.dstOffset} of ${shapeString(dst.shape)} run past the end`);
  }
  engine.dispatch({
    kernel: copyKernel,
    dtype,
    constants: { WG },
    bindings: { src, dst },
    uniforms: { ...r },
    workgroups: grid(engine, ceilDiv(r.rows * r.inner, WG)),
    label,
  });
}

/** dst[dstOffset .. +count] = src[srcOffset .. +count] (element offsets). */
export function copyElements(engine: Engine, src: Tensor, dst: Tensor, count = src.size, srcOffset = 0, dstOffset = 0): void {
  copyRows(engine, src, dst, { rows: 1, inner: count, srcStride: 0, srcOffset, dstStride: 0, dstOffset });
}

/** Concatenates tensors along dimension 0; all other dimensions must agree. */
export function concat0(engine: Engine, parts: readonly Tensor[]): Tensor {
  if (!parts.length) throw new ShapeError('concat0: no tensors');
  const rest = parts[0].shape.slice(1);
  for (const p of parts) {
    if (p.shape.length !== rest.length + 1 || p.shape.slice(1).some((d, i) => d !== rest[i])) {
      throw new ShapeError(`concat0: ${shapeString(p.shape)} does not match [*, ${rest.join(', ')}]`);
    }
  }
  const out = engine.empty([parts.reduce((n, p) => n + p.shape[0], 0), ...rest], floatDType('concat0', ...parts));
  let offset = 0;
  for (const p of parts) {
    copyElements(engine, p, out, p.size, 0, offset);
    offset += p.size;
  }
  return out;
}

/** Concatenates [B, c_i, ...rest] tensors along dimension 1 (channels): one dispatch per part. */
export function concat1(engine: Engine, parts: readonly Tensor[]): Tensor {
  if (!parts.length) throw new ShapeError('concat1: no tensors');
  const [batch, , ...rest] = parts[0].shape;
  for (const p of parts) {
    if (p.shape.length !== rest.length + 2 || p.shape[0] !== batch || p.shape.slice(2).some((d, i) => d !== rest[i])) {
      throw new ShapeError(`concat1: ${shapeString(p.shape)} does not match [${batch}, *, ${rest.join(', ')}]`);
    }
  }
  const plane = shapeSize(rest);
  const channels = parts.reduce((n, p) => n + p.shape[1], 0);
  const out = engine.empty([batch, channels, ...rest], floatDType('concat1', ...parts));
  let offset = 0;
  for (const p of parts) {
    const inner = p.shape[1] * plane;
    copyRows(engine, p, out, { rows: batch, inner, srcStride: inner, srcOffset: 0, dstStride: channels * plane, dstOffset: offset });
    offset += inner;
  }
  return out;
}

/** The channels [start, start + count) of a [B, C, ...rest] tensor, as a new tensor. */
export function sliceChannels(engine: Engine, x: Tensor, start: number, count: number): Tensor {
  const [batch, channels, ...rest] = x.shape;
  if (start < 0 || count < 1 || start + count > channels) throw new ShapeError(`sliceChannels: [${start}, ${start + count}) is outside the ${channels} channels of ${shapeString(x.shape)}`);
  const plane = shapeSize(rest);
  const out = engine.empty([batch, count, ...rest], floatDType('sliceChannels', x));
  copyRows(engine, x, out, { rows: batch, inner: count * plane, srcStride: channels * plane, srcOffset: start * plane, dstStride: count * plane, dstOffset: 0 });
  return out;
}

export const COPY_VARIANTS: KernelVariantSpec[] = bothDTypes(copyKernel, [{ WG }]);
