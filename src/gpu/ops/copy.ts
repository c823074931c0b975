/** Copies between tensors: runs of elements, and concatenation along the first dimension. */
import copySource from '../../shaders/copy.wgsl';
import type { Engine } from '../engine.js';
import { ShapeError } from '../errors.js';
import type { Kernel } from '../pipelines.js';
import { shapeString, type Tensor } from '../tensor.js';
import { bothDTypes, ceilDiv, floatDType, grid, type KernelVariantSpec } from './common.js';

export const copyKernel: Kernel = { name: 'copy', source: copySource };
const WG = 256;

/** dst[dstOffset .. +count] = src[srcOffset .. +count] (element offsets). */
export function copyElements(engine: Engine, src: Tensor, dst: Tensor, count = src.size, srcOffset = 0, dstOffset = 0): void {
  const dtype = floatDType('copy', src, dst);
  if (srcOffset + count > src.size || dstOffset + count > dst.size) {
    throw new ShapeError(`copy: ${count} elements from offset ${srcOffset} of ${shapeString(src.shape)} to offset ${dstOffset} of ${shapeString(dst.shape)} run past the end`);
  }
  engine.dispatch({
    kernel: copyKernel,
    dtype,
    constants: { WG },
    bindings: { src, dst },
    uniforms: { count, srcOffset, dstOffset },
    workgroups: grid(engine, ceilDiv(count, WG)),
    label: 'copy',
  });
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

export const COPY_VARIANTS: KernelVariantSpec[] = bothDTypes(copyKernel, [{ WG }]);
