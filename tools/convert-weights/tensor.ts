import type { DType } from './dtype.js';

/** A tensor whose bytes stay on disk until `read()` (so checkpoints never load whole). */
export interface TensorSource {
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** The logical values, row-major and contiguous, little-endian in `dtype`. */
  read(): Promise<Uint8Array>;
  /** Throws when the bytes it declares cannot be read as declared (no I/O, so planning can ask). */
  check?(): void;
}

export function isTensorSource(v: unknown): v is TensorSource {
  return typeof v === 'object' && v !== null && typeof (v as TensorSource).read === 'function' && 'shape' in v;
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
