/** Elementwise ops: unary maps, broadcasting binary ops and in-place accumulation. */
import accumulateSource from '../../shaders/accumulate.wgsl';
import binarySource from '../../shaders/binary.wgsl';
import unarySource from '../../shaders/unary.wgsl';
import type { Engine } from '../engine.js';
import { ShapeError } from '../errors.js';
import type { Kernel } from '../pipelines.js';
import { shapeString, type Tensor } from '../tensor.js';
import { bothDTypes, ceilDiv, floatDType, grid, type KernelVariantSpec } from './common.js';

export const unaryKernel: Kernel = { name: 'unary', source: unarySource };
export const binaryKernel: Kernel = { name: 'binary', source: binarySource };
export const accumulateKernel: Kernel = { name: 'accumulate', source: accumulateSource };

const WG = 256;
export const UNARY_OPS = { identity: 0, silu: 1, gelu: 2, exp: 3 } as const;
export type UnaryOp = keyof typeof UNARY_OPS;
export const BINARY_OPS = { add: 0, mul: 1, max: 2 } as const;
export type BinaryOp = keyof typeof BINARY_OPS;

/** out = f(alpha * a + beta). */
export function unary(engine: Engine, op: UnaryOp, a: Tensor, alpha = 1, beta = 0, out?: Tensor): Tensor {
  const dtype = floatDType(op, a);
  out ??= engine.empty(a.shape, dtype);
  if (out.size !== a.size || out.dtype !== dtype) throw new ShapeError(`${op}: out must be ${shapeString(a.shape)} ${dtype}`);
  engine.dispatch({
    kernel: unaryKernel,
    dtype,
    constants: { OP: UNARY_OPS[op], WG },
    bindings: { a, out },
    uniforms: { n: a.size, alpha, beta },
    workgroups: grid(engine, ceilDiv(a.size, WG)),
    label: op,
  });
  return out;
}

export const silu = (engine: Engine, a: Tensor): Tensor => unary(engine, 'silu', a);
export const gelu = (engine: Engine, a: Tensor): Tensor => unary(engine, 'gelu', a);
export const scale = (engine: Engine, a: Tensor, s: number, shift = 0): Tensor => unary(engine, 'identity', a, s, shift);

/** out = (alpha * a) op (beta * b), with numpy broadcasting (rank <= 4). */
export function binary(engine: Engine, op: BinaryOp, a: Tensor, b: Tensor, alpha = 1, beta = 1, out?: Tensor): Tensor {
  const dtype = floatDType(op, a, b);
  const shape = broadcastShape(op, a.shape, b.shape);
  out ??= engine.empty(shape, dtype);
  if (out.size !== shape.reduce((x, y) => x * y, 1) || out.dtype !== dtype) {
    throw new ShapeError(`${op}: out must be ${shapeString(shape)} ${dtype}, got ${shapeString(out.shape)} ${out.dtype}`);
  }
  const n = out.size;
  const padded = pad4(shape);
  const dense = a.size === n && b.size === n;
  engine.dispatch({
    kernel: binaryKernel,
    dtype,
    constants: { OP: BINARY_OPS[op], WG, DENSE: dense ? 1 : 0 },
    bindings: { a, b, out },
    uniforms: { shape: padded, aStrides: broadcastStrides(a.shape, padded), bStrides: broadcastStrides(b.shape, padded), n, alpha, beta },
    workgroups: grid(engine, ceilDiv(n, WG)),
    label: op,
  });
  return out;
}

export const add = (engine: Engine, a: Tensor, b: Tensor): Tensor => binary(engine, 'add', a, b);
export const sub = (engine: Engine, a: Tensor, b: Tensor): Tensor => binary(engine, 'add', a, b, 1, -1);
export const mul = (engine: Engine, a: Tensor, b: Tensor): Tensor => binary(engine, 'mul', a, b);
/** alpha * a + beta * b */
export const axpby = (engine: Engine, alpha: number, a: Tensor, beta: number, b: Tensor): Tensor => binary(engine, 'add', a, b, alpha, beta);

/** into += x in place (equal sizes, distinct buffers); returns into. */
export function accumulate(engine: Engine, into: Tensor, x: Tensor): Tensor {
  const op = 'accumulate';
  const dtype = floatDType(op, into, x);
  if (into.size !== x.size) throw new ShapeError(`${op}: x ${shapeString(x.shape)} must have the size of into ${shapeString(into.shape)}`);
  engine.dispatch({
    kernel: accumulateKernel,
    dtype,
    constants: { WG },
    bindings: { into, x },
    uniforms: { n: x.size },
    workgroups: grid(engine, ceilDiv(x.size, WG)),
    label: op,
  });
  return into;
}

export function broadcastShape(op: string, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  if (rank > 4) throw new ShapeError(`${op}: broadcasting supports rank <= 4, got ${shapeString(a)} and ${shapeString(b)}`);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new ShapeError(`${op}: shapes ${shapeString(a)} and ${shapeString(b)} do not broadcast`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

function pad4(shape: readonly number[]): number[] {
  return [...Array(4 - shape.length).fill(1), ...shape];
}

/** Row-major strides of `shape` aligned to the 4-D output shape, 0 where broadcast. */
function broadcastStrides(shape: readonly number[], out4: number[]): number[] {
  const s4 = pad4(shape);
  const strides = [0, 0, 0, 0];
  let stride = 1;
  for (let i = 3; i >= 0; i--) {
    strides[i] = s4[i] === 1 && out4[i] !== 1 ? 0 : stride;
    stride *= s4[i];
  }
  return strides;
}

export const ELEMENTWISE_VARIANTS: KernelVariantSpec[] = [
  ...bothDTypes(unaryKernel, Object.values(UNARY_OPS).map((OP) => ({ OP, WG }))),
  ...bothDTypes(binaryKernel, Object.values(BINARY_OPS).flatMap((OP) => [0, 1].map((DENSE) => ({ OP, WG, DENSE })))),
  ...bothDTypes(accumulateKernel, [{ WG }]),
];
