/**
 * Collects the dispatches of one logical step and submits them in one command encoder.
 * Recording is synchronous (ops stay plain function calls); submit() awaits the pipelines the
 * step needs (compiled in parallel, then cached), packs every dispatch's uniforms into one
 * arena buffer, encodes and submits.
 */
import { BindingError, LimitExceededError } from './errors.js';
import type { BindingInfo, StorageBinding, UniformBinding, Variant } from './pipelines.js';
import { Tensor } from './tensor.js';

export type UniformValues = Record<string, number | readonly number[]>;

export interface DispatchArgs {
  /** Tensors by WGSL binding name. */
  bindings: Record<string, Tensor>;
  /** Values for the members of the kernel's uniform struct, by name. */
  uniforms?: UniformValues;
  workgroups: readonly [number, number?, number?];
  /** Label in profiles; defaults to the kernel name. */
  label?: string;
}

/** A storage binding: a whole buffer (size undefined) or a view's byte range. */
export interface BoundBuffer {
  buffer: GPUBuffer;
  offset: number;
  size?: number;
}

export interface RecordedDispatch {
  variant: Variant;
  buffers: Map<number, BoundBuffer>;
  /** Packed uniform bytes, or null for kernels without a uniform. */
  uniformData: Uint8Array | null;
  uniformBinding: number;
  workgroups: [number, number, number];
  label: string;
}

/** Packs uniform values into the struct layout reflected from WGSL; names every mismatch. */
export function packUniforms(kernelName: string, u: UniformBinding, values: UniformValues = {}): Uint8Array {
  const bytes = new Uint8Array(Math.ceil(u.size / 16) * 16);
  const view = new DataView(bytes.buffer);
  const known = new Set(u.members.map((m) => m.name));
  for (const name of Object.keys(values)) {
    if (!known.has(name)) throw new BindingError(`kernel ${kernelName}: unknown uniform '${name}' (has: ${[...known].join(', ')})`);
  }
  for (const m of u.members) {
    const value = values[m.name];
    if (value === undefined) throw new BindingError(`kernel ${kernelName}: missing uniform '${m.name}'`);
    const arr = typeof value === 'number' ? [value] : value;
    if (arr.length !== m.count) throw new BindingError(`kernel ${kernelName}: uniform '${m.name}' needs ${m.count} values, got ${arr.length}`);
    arr.forEach((x, i) => {
      const at = m.offset + 4 * i;
      if (m.scalar === 'f32') view.setFloat32(at, x, true);
      else {
        if (!Number.isInteger(x)) throw new BindingError(`kernel ${kernelName}: uniform '${m.name}' is ${m.scalar} but got ${x}`);
        if (m.scalar === 'u32') {
          if (x < 0 || x > 0xffffffff) throw new BindingError(`kernel ${kernelName}: uniform '${m.name}' = ${x} does not fit u32`);
          view.setUint32(at, x, true);
        } else view.setInt32(at, x, true);
      }
    });
  }
  return bytes;
}

const ELEMENT_DTYPES: Record<string, string> = { f32: 'f32', f16: 'f16', i32: 'i32', u32: 'u32' };

/** Checks tensors against the reflected storage bindings and returns buffers by binding index. */
export function bindTensors(
  variant: Variant,
  tensors: Record<string, Tensor>,
  maxBindingSize: number,
): { buffers: Map<number, BoundBuffer>; uniform?: UniformBinding } {
  const name = variant.kernel.name;
  const storage = variant.bindings.filter((b): b is StorageBinding => b.kind !== 'uniform');
  const uniform = variant.bindings.find((b): b is UniformBinding => b.kind === 'uniform');
  const expected = new Set(storage.map((b) => b.name));
  for (const key of Object.keys(tensors)) {
    if (!expected.has(key)) throw new BindingError(`kernel ${name}: no binding named '${key}' (expects: ${[...expected].join(', ')})`);
  }
  const buffers = new Map<number, BoundBuffer>();
  const writable = new Set<GPUBuffer>();
  const readable = new Set<GPUBuffer>();
  for (const b of storage) {
    const t = tensors[b.name];
    if (!t) throw new BindingError(`kernel ${name}: missing tensor for binding '${b.name}'`);
    t.assertAlive();
    const scalar = b.elementType.replace(/^(?:vec\d|atomic)<(.+)>$/, '$1');
    if (ELEMENT_DTYPES[scalar] !== t.dtype) {
      throw new BindingError(`kernel ${name}: binding '${b.name}' holds ${b.elementType} but the tensor is ${t.dtype} [${t.shape}]`);
    }
    if (t.byteLength > maxBindingSize) {
      throw new LimitExceededError('maxStorageBufferBindingSize', t.byteLength, maxBindingSize, `kernel ${name}: binding '${b.name}' [${t.shape}]`);
    }
    if (b.kind === 'storage') {
      if (writable.has(t.buffer) || readable.has(t.buffer)) {
        throw new BindingError(`kernel ${name}: binding '${b.name}' is writable but its buffer is bound twice (use a ping-pong buffer)`);
      }
      writable.add(t.buffer);
    } else {
      if (writable.has(t.buffer)) throw new BindingError(`kernel ${name}: binding '${b.name}' aliases a writable binding`);
      readable.add(t.buffer);
    }
    const whole = t.byteOffset === 0 && t.buffer.size <= maxBindingSize;
    buffers.set(b.binding, { buffer: t.buffer, offset: t.byteOffset, size: whole ? undefined : Math.ceil(t.byteLength / 4) * 4 });
  }
  return { buffers, uniform };
}

export function bindingSummary(bindings: BindingInfo[]): string {
  return bindings.map((b) => `${b.binding}:${b.name}(${b.kind})`).join(' ');
}
