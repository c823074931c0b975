/** Shared checks and dispatch-size helpers for the op wrappers. */
import type { Engine } from '../engine.js';
import { ShapeError } from '../errors.js';
import type { StorageDType } from '../pipelines.js';
import { shapeString, type Tensor } from '../tensor.js';

/** The storage dtype of float tensors that must agree; names the op and the offender. */
export function floatDType(op: string, ...tensors: Tensor[]): StorageDType {
  const dtype = tensors[0].dtype;
  for (const t of tensors) {
    t.assertAlive();
    if (t.dtype !== 'f32' && t.dtype !== 'f16') throw new ShapeError(`${op}: expects f32 or f16 tensors, got ${t.dtype} ${shapeString(t.shape)}`);
    if (t.dtype !== dtype) throw new ShapeError(`${op}: mixes ${dtype} and ${t.dtype} tensors`);
  }
  return dtype as StorageDType;
}

export function expectRank(op: string, name: string, t: Tensor, rank: number): void {
  if (t.shape.length !== rank) throw new ShapeError(`${op}: ${name} must have rank ${rank}, got ${shapeString(t.shape)}`);
}

/** A count the caller chose (copies, rows, columns, sizes): an integer >= 1. */
export function expectPositiveInteger(op: string, name: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new ShapeError(`${op}: ${name} must be a positive integer, got ${n}`);
}

export function expectShape(op: string, name: string, t: Tensor, shape: readonly number[]): void {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new ShapeError(`${op}: ${name} must be ${shapeString(shape)}, got ${shapeString(t.shape)}`);
  }
}

/**
 * A 2-D grid of workgroups covering `count` workgroups while staying under
 * maxComputeWorkgroupsPerDimension; kernels rebuild the linear index from num_workgroups.
 */
export function grid(engine: Engine, count: number): [number, number] {
  const max = engine.limits.maxComputeWorkgroupsPerDimension;
  if (count <= max) return [count, 1];
  const y = Math.ceil(count / max);
  return [Math.ceil(count / y), y];
}

export const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);

/** One compiled form of a kernel that an op can use; listed so a test can compile them all. */
export interface KernelVariantSpec {
  kernel: import('../pipelines.js').Kernel;
  dtype: StorageDType;
  constants?: Record<string, number>;
}

/** Both storage dtypes of every constants combination. */
export function bothDTypes(kernel: KernelVariantSpec['kernel'], constantSets: Record<string, number>[]): KernelVariantSpec[] {
  return constantSets.flatMap((constants) => (['f32', 'f16'] as const).map((dtype) => ({ kernel, dtype, constants })));
}
