/**
 * Optimizer updates over flat parameter arenas: one fused AdamW dispatch for all parameters
 * (PyTorch torch.optim.AdamW semantics, with torch.nn.utils.clip_grad_norm_ folded in and the
 * global norm read on the GPU, no readback) and the EMA of the weights.
 */
import adamwSource from '../../shaders/adamw.wgsl';
import emaSource from '../../shaders/ema.wgsl';
import type { Engine } from '../engine.js';
import { ShapeError } from '../errors.js';
import type { Kernel } from '../pipelines.js';
import { shapeString, type Tensor } from '../tensor.js';
import { ceilDiv, grid, type KernelVariantSpec } from './common.js';

export const adamwKernel: Kernel = { name: 'adamw', source: adamwSource };
export const emaKernel: Kernel = { name: 'ema', source: emaSource };
const WG = 256;

export interface AdamWState {
  /** Flat f32 tensors of equal size; params, m and v are updated in place (distinct buffers). */
  params: Tensor;
  grads: Tensor;
  m: Tensor;
  v: Tensor;
}

export interface AdamWOptions {
  /** 1-based step count (PyTorch's state['step'] after its increment). */
  step: number;
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /** Clip as clip_grad_norm_(max_norm = maxGradNorm): grads · min(1, maxGradNorm / (‖g‖ + 1e-6)). */
  maxGradNorm?: number;
  /** Σ g² over all parameters, [1] (ops/grad.ts sumSquares); required with maxGradNorm. */
  gradNormSq?: Tensor;
}

function checkFlat(op: string, tensors: Record<string, Tensor>): number {
  const entries = Object.entries(tensors);
  const n = entries[0][1].size;
  for (const [name, t] of entries) {
    t.assertAlive();
    if (t.dtype !== 'f32') throw new ShapeError(`${op}: ${name} must be f32, got ${t.dtype} ${shapeString(t.shape)}`);
    if (t.size !== n) throw new ShapeError(`${op}: ${name} ${shapeString(t.shape)} must have ${n} elements like ${entries[0][0]} ${shapeString(entries[0][1].shape)}`);
  }
  return n;
}

/**
 * One AdamW step in one dispatch (PyTorch AdamW, amsgrad off):
 *   g = grad (· clip coefficient), p ← p·(1 − lr·wd), m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g²,
 *   p ← p − lr/(1−β1^t) · m / (√v / √(1−β2^t) + eps).
 * The grads are read, not modified (PyTorch's clip_grad_norm_ scales them in place).
 */
export function adamw(engine: Engine, state: AdamWState, options: AdamWOptions): void {
  const op = 'adamw';
  const { params, grads, m, v } = state;
  const n = checkFlat(op, { params, grads, m, v });
  const { step, lr, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0, maxGradNorm, gradNormSq } = options;
  if (!Number.isInteger(step) || step < 1) throw new ShapeError(`${op}: step must be a 1-based integer, got ${step}`);
  const clip = maxGradNorm !== undefined;
  if (clip) {
    if (!gradNormSq) throw new ShapeError(`${op}: maxGradNorm needs gradNormSq (the squared global gradient norm, [1])`);
    if (gradNormSq.size !== 1 || gradNormSq.dtype !== 'f32') throw new ShapeError(`${op}: gradNormSq must be one f32 element, got ${gradNormSq.dtype} ${shapeString(gradNormSq.shape)}`);
    if (!(maxGradNorm > 0)) throw new ShapeError(`${op}: maxGradNorm must be > 0, got ${maxGradNorm}`);
  }
  engine.dispatch({
    kernel: adamwKernel,
    dtype: 'f32',
    constants: { WG, CLIP: clip ? 1 : 0 },
    // Without clipping the unread gradNormSq binding takes grads (read-only bindings may alias).
    bindings: { param: params, grad: grads, m, v, gradNormSq: clip ? gradNormSq! : grads },
    uniforms: {
      n,
      beta2,
      oneMinusBeta1: 1 - beta1,
      oneMinusBeta2: 1 - beta2,
      eps,
      decay: 1 - lr * weightDecay,
      stepSize: lr / (1 - beta1 ** step),
      bc2Sqrt: Math.sqrt(1 - beta2 ** step),
      maxNorm: maxGradNorm ?? 0,
    },
    workgroups: grid(engine, ceilDiv(n, WG)),
    label: op,
  });
}

/** ema ← decay·ema + (1 − decay)·params, in place, one pass; returns ema. */
export function emaUpdate(engine: Engine, ema: Tensor, params: Tensor, decay: number): Tensor {
  const op = 'emaUpdate';
  const n = checkFlat(op, { ema, params });
  engine.dispatch({
    kernel: emaKernel,
    dtype: 'f32',
    constants: { WG },
    bindings: { ema, param: params },
    uniforms: { n, decay },
    workgroups: grid(engine, ceilDiv(n, WG)),
    label: op,
  });
  return ema;
}

export const OPTIM_VARIANTS: KernelVariantSpec[] = [
  { kernel: adamwKernel, dtype: 'f32', constants: { WG, CLIP: 0 } },
  { kernel: adamwKernel, dtype: 'f32', constants: { WG, CLIP: 1 } },
  { kernel: emaKernel, dtype: 'f32', constants: { WG } },
];
