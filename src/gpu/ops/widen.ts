/** Storage dtype widening: f16 tensors to f32 (the VAE decodes in f32 whatever its latents' dtype). */
import widenSource from '../../shaders/widen.wgsl';
import type { Engine } from '../engine.js';
import type { Kernel } from '../pipelines.js';
import type { Tensor } from '../tensor.js';
import { ceilDiv, floatDType, grid, type KernelVariantSpec } from './common.js';

export const widenKernel: Kernel = { name: 'widen', source: widenSource };
const WG = 256;

/** An f32 copy of x (f16 or f32), same shape; every f16 value, infinities included, is exact in f32. */
export function widenToF32(engine: Engine, x: Tensor): Tensor {
  const dtype = floatDType('widenToF32', x);
  const out = engine.empty(x.shape, 'f32');
  engine.dispatch({
    kernel: widenKernel,
    dtype,
    constants: { WG },
    bindings: { x, out },
    uniforms: { n: x.size },
    workgroups: grid(engine, ceilDiv(x.size, WG)),
    label: 'widenToF32',
  });
  return out;
}

export const WIDEN_VARIANTS: KernelVariantSpec[] = [
  { kernel: widenKernel, dtype: 'f16', constants: { WG } },
  { kernel: widenKernel, dtype: 'f32', constants: { WG } },
];
