/** Softmax over the last dimension. */
import softmaxSource from '../../shaders/softmax.wgsl';
import type { Engine } from '../engine.js';
import { ShapeError } from '../errors.js';
import type { Kernel } from '../pipelines.js';
import { shapeString, type Tensor } from '../tensor.js';
import { bothDTypes, floatDType, grid, type KernelVariantSpec } from './common.js';

export const softmaxKernel: Kernel = { name: 'softmax', source: softmaxSource };
const WG = 64;

/** Numerically stable softmax of each row of x (over its last dimension). */
export function softmax(engine: Engine, x: Tensor, out?: Tensor): Tensor {
  const op = 'softmax';
  const dtype = floatDType(op, x, ...(out ? [out] : []));
  if (x.shape.length < 1) throw new ShapeError(`${op}: x must have rank >= 1, got ${shapeString(x.shape)}`);
  out ??= engine.empty(x.shape, dtype);
  if (out.size !== x.size) throw new ShapeError(`${op}: out ${shapeString(out.shape)} must have the size of x ${shapeString(x.shape)}`);
  const n = x.shape[x.shape.length - 1];
  const rows = n === 0 ? 0 : x.size / n;
  engine.dispatch({
    kernel: softmaxKernel,
    dtype,
    constants: { WG },
    bindings: { x, out },
    uniforms: { rows, n },
    workgroups: grid(engine, rows),
    label: op,
  });
  return out;
}

export const SOFTMAX_VARIANTS: KernelVariantSpec[] = bothDTypes(softmaxKernel, [{ WG }]);
