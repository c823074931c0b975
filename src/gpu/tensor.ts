/** Tensor = GPU buffer + shape + dtype. Owned by one Engine; released back to its pool. */
import { DisposedError, ShapeError } from './errors.js';

export type DType = 'f32' | 'f16' | 'i32' | 'u32';

export const BYTES_PER_ELEMENT: Record<DType, number> = { f32: 4, f16: 2, i32: 4, u32: 4 };

/** What a tensor needs from its engine; kept narrow so tensor.ts does not import engine.ts. */
export interface TensorOwner {
  releaseBuffer(buffer: GPUBuffer): void;
  readTensor(tensor: Tensor): Promise<Float32Array | Int32Array | Uint32Array>;
}

export class Tensor {
  private released = false;

  constructor(
    readonly owner: TensorOwner,
    readonly buffer: GPUBuffer,
    readonly shape: readonly number[],
    readonly dtype: DType,
    /** False for views (reshape, Engine.view): only the tensor that owns the buffer returns it to the pool. */
    readonly ownsBuffer = true,
    /** Where the tensor starts in its buffer (views into a parameter arena); 0 for whole buffers. */
    readonly byteOffset = 0,
  ) {}

  get size(): number {
    return shapeSize(this.shape);
  }

  get byteLength(): number {
    return this.size * BYTES_PER_ELEMENT[this.dtype];
  }

  get isDisposed(): boolean {
    return this.released;
  }

  /** Same buffer, new shape with the same element count. The view must not outlive this tensor. */
  reshape(shape: readonly number[]): Tensor {
    this.assertAlive();
    if (shapeSize(shape) !== this.size) {
      throw new ShapeError(`cannot reshape [${this.shape}] (${this.size} elements) to [${shape}] (${shapeSize(shape)} elements)`);
    }
    return new Tensor(this.owner, this.buffer, [...shape], this.dtype, false, this.byteOffset);
  }

  /** Reads the tensor back to the CPU (f16 is widened to f32). Submits pending work first. */
  read(): Promise<Float32Array | Int32Array | Uint32Array> {
    this.assertAlive();
    return this.owner.readTensor(this);
  }

  async readFloat32(): Promise<Float32Array> {
    const data = await this.read();
    return data instanceof Float32Array ? data : Float32Array.from(data);
  }

  /** Returns the buffer to the engine's pool once the work already recorded with it is submitted. */
  dispose(): void {
    if (this.released) return;
    this.released = true;
    if (this.ownsBuffer) this.owner.releaseBuffer(this.buffer);
  }

  assertAlive(): void {
    if (this.released) throw new DisposedError(`tensor [${this.shape}] ${this.dtype} was used after dispose()`);
  }
}

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`invalid dimension ${d} in shape [${shape}]`);
    n *= d;
  }
  return n;
}

export function shapeString(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** f32 -> IEEE half, round to nearest even (used for uploads of f16 tensors). */
export function f32ToF16Bits(value: number): number {
  f32Scratch[0] = value;
  const x = u32Scratch[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

export function f16BitsToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);
