/** The SideNet training's fused roll-forward update (see roll_forward.wgsl and src/train/chain.ts). */
import rollForwardSource from '../../shaders/roll_forward.wgsl';
import type { Engine } from '../engine.js';
import { ShapeError } from '../errors.js';
import type { Kernel } from '../pipelines.js';
import { shapeString, type Tensor } from '../tensor.js';
import { bothDTypes, ceilDiv, floatDType, grid, type KernelVariantSpec } from './common.js';

export const rollForwardKernel: Kernel = { name: 'train_roll_forward', source: rollForwardSource };

const WG = 256;

export const ROLL_FORWARD_VARIANTS: KernelVariantSpec[] = bothDTypes(rollForwardKernel, [{ WG }]);

/** x' = x − h·Σ_k w_k (v + Δ_k) with Δ = deltas [K·B, ...] offset-major, h per sample (≤ 4 nodes). */
export function rollForward(engine: Engine, x: Tensor, v: Tensor, deltas: Tensor, h: readonly number[], weights: readonly number[]): Tensor {
  const dtype = floatDType('rollForward', x, v, deltas);
  if (weights.length < 1 || weights.length > 4) throw new ShapeError(`rollForward: 1 to 4 quadrature nodes, got ${weights.length}`);
  if (v.size !== x.size) throw new ShapeError(`rollForward: v ${shapeString(v.shape)} does not match x ${shapeString(x.shape)}`);
  if (deltas.size !== weights.length * x.size) throw new ShapeError(`rollForward: deltas ${shapeString(deltas.shape)} is not ${weights.length} × ${shapeString(x.shape)}`);
  if (h.length !== x.shape[0]) throw new ShapeError(`rollForward: ${h.length} offsets h for ${x.shape[0]} images`);
  const out = engine.empty(x.shape, dtype);
  const hT = engine.upload(h, [h.length], dtype);
  const w4 = [0, 0, 0, 0].map((_, i) => weights[i] ?? 0);
  engine.dispatch({
    kernel: rollForwardKernel,
    dtype,
    constants: { WG },
    bindings: { x, v, deltas, h: hT, out },
    uniforms: { n: x.size, perImage: x.size / x.shape[0], nodes: weights.length, weights: w4 },
    workgroups: grid(engine, ceilDiv(x.size, WG)),
    label: 'train_roll_forward',
  });
  hT.dispose();
  return out;
}
