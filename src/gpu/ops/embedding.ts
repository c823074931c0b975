/** Embedding lookups: label tables (gather by id) and the sinusoidal timestep embedding. */
import embeddingSource from '../../shaders/embedding.wgsl';
import timestepSource from '../../shaders/timestep_embedding.wgsl';
import type { Engine } from '../engine.js';
import { ShapeError } from '../errors.js';
import type { Kernel, StorageDType } from '../pipelines.js';
import { shapeString, Tensor } from '../tensor.js';
import { bothDTypes, ceilDiv, expectRank, floatDType, grid, type KernelVariantSpec } from './common.js';

export const embeddingKernel: Kernel = { name: 'embedding', source: embeddingSource };
export const timestepEmbeddingKernel: Kernel = { name: 'timestep_embedding', source: timestepSource };

const WG = 256;
const NAN_BITS = 0x7fc00000;

/**
 * out[n] = table[ids[n]]: table [V, D], ids [N] -> [N, D].
 * Host ids are checked (an id outside 0..V-1 throws, naming it); ids already on the GPU (an
 * i32 tensor [N]) cannot be, and an out-of-range one yields a NaN row.
 */
export function embedding(engine: Engine, table: Tensor, ids: Tensor | readonly number[] | Int32Array): Tensor {
  const op = 'embedding';
  const dtype = floatDType(op, table);
  expectRank(op, 'table', table, 2);
  const [rows, dim] = table.shape;
  let idTensor: Tensor;
  if (ids instanceof Tensor) {
    expectRank(op, 'ids', ids, 1);
    if (ids.dtype !== 'i32') throw new ShapeError(`${op}: ids must be an i32 tensor, got ${ids.dtype} ${shapeString(ids.shape)}`);
    idTensor = ids;
  } else {
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!Number.isInteger(id) || id < 0 || id >= rows) {
        throw new ShapeError(`${op}: ids[${i}] = ${id} is not a row of the table (V = ${rows}, valid ids 0..${rows - 1})`);
      }
    }
    idTensor = engine.upload(ids, [ids.length], 'i32');
  }
  const count = idTensor.shape[0];
  const out = engine.empty([count, dim], dtype);
  engine.dispatch({
    kernel: embeddingKernel,
    dtype,
    constants: { WG },
    bindings: { table, ids: idTensor, out },
    uniforms: { rows, dim, total: count * dim, nanBits: NAN_BITS },
    workgroups: grid(engine, ceilDiv(count * dim, WG)),
    label: op,
  });
  if (idTensor !== ids) idTensor.dispose();
  return out;
}

export interface TimestepEmbeddingOptions {
  /** Embedding width, even (default 256: 128 frequencies). */
  dim?: number;
  /** Longest period of the sinusoids (default 10000). */
  maxPeriod?: number;
  /** Storage dtype of the output (default f32); the times themselves are always f32. */
  dtype?: StorageDType;
}

/**
 * Sinusoidal embedding of raw times (SiT: t in [0, 1], unscaled; SideNet: offsets h, may be
 * negative): t [N] (host numbers or an f32 tensor) -> [N, dim], [cos(t f), sin(t f)] with
 * f_k = exp(-ln(maxPeriod) k / (dim/2)).
 */
export function timestepEmbedding(engine: Engine, t: Tensor | ArrayLike<number>, options: TimestepEmbeddingOptions = {}): Tensor {
  const op = 'timestepEmbedding';
  const { dim = 256, maxPeriod = 10000, dtype = 'f32' } = options;
  if (!Number.isInteger(dim) || dim < 2 || dim % 2) throw new ShapeError(`${op}: dim must be a positive even integer, got ${dim}`);
  if (!(maxPeriod > 1)) throw new ShapeError(`${op}: maxPeriod must be > 1, got ${maxPeriod}`);
  let times: Tensor;
  if (t instanceof Tensor) {
    expectRank(op, 't', t, 1);
    if (t.dtype !== 'f32') throw new ShapeError(`${op}: t must be an f32 tensor, got ${t.dtype} ${shapeString(t.shape)}`);
    times = t;
  } else {
    times = engine.upload(t, [t.length], 'f32');
  }
  const count = times.shape[0];
  const out = engine.empty([count, dim], dtype);
  engine.dispatch({
    kernel: timestepEmbeddingKernel,
    dtype,
    constants: { WG },
    bindings: { t: times, out },
    uniforms: { total: count * dim, dim, half: dim / 2, logMaxPeriod: Math.log(maxPeriod) },
    workgroups: grid(engine, ceilDiv(count * dim, WG)),
    label: op,
  });
  if (times !== t) times.dispose();
  return out;
}

export const EMBEDDING_VARIANTS: KernelVariantSpec[] = [
  ...bothDTypes(embeddingKernel, [{ WG }]),
  ...bothDTypes(timestepEmbeddingKernel, [{ WG }]),
];
