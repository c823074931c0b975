/**
 * Matrix multiply with fused epilogues: C[b] = epilogue(op(A[b]) · op(B[b])).
 *
 * One WGSL head (matmul_common.wgsl: bindings, strides, epilogue) serves three kernel bodies:
 *  - regblock: register-blocked, no workgroup memory (fastest on CPU adapters), in two block
 *    sizes: 'regblock' 4x4 outputs per thread (small shapes), 'regblock16' 16x16 (large);
 *  - tiled: 64x64 workgroup tiles staged in workgroup memory (for GPUs);
 *  - naive: one output per thread (benchmark baseline).
 * Transposes and batch broadcasting are strides in the uniform, so they need no variants.
 */
import commonSource from '../../shaders/matmul_common.wgsl';
import naiveSource from '../../shaders/matmul_naive.wgsl';
import regblockSource from '../../shaders/matmul_regblock.wgsl';
import tiledSource from '../../shaders/matmul_tiled.wgsl';
import type { Engine } from '../engine.js';
import { ShapeError } from '../errors.js';
import type { Kernel, StorageDType } from '../pipelines.js';
import { shapeSize, shapeString, type Tensor } from '../tensor.js';
import { adapterKey, usesCpuKernels, tune, tunedChoice } from './autotune.js';
import { bothDTypes, ceilDiv, floatDType, type KernelVariantSpec } from './common.js';

export type MatmulVariant = 'regblock' | 'regblock16' | 'tiled' | 'naive';
export type MatmulEpilogue = 'none' | 'bias' | 'gelu' | 'silu' | 'gate-residual' | 'residual';

interface VariantDef {
  kernel: Kernel;
  constants: Record<string, number>;
  /** Output rows x columns one workgroup covers. */
  tile: [number, number];
}

const regblockKernel: Kernel = { name: 'matmul_regblock', source: commonSource + regblockSource };
const VARIANTS: Record<MatmulVariant, VariantDef> = {
  regblock: { kernel: regblockKernel, constants: { TM: 4, TN4: 1, WG_X: 16, WG_Y: 4 }, tile: [16, 64] },
  regblock16: { kernel: regblockKernel, constants: { TM: 16, TN4: 4, WG_X: 4, WG_Y: 4 }, tile: [64, 64] },
  tiled: { kernel: { name: 'matmul_tiled', source: commonSource + tiledSource }, constants: {}, tile: [64, 64] },
  naive: { kernel: { name: 'matmul_naive', source: commonSource + naiveSource }, constants: {}, tile: [16, 16] },
};

/** EPILOGUE override codes; 'bias' is 'none' with HAS_BIAS. */
const EPILOGUE_CODES = { none: 0, gelu: 1, silu: 2, 'gate-residual': 3, residual: 4 } as const;
/** HAS_BIAS override codes: no bias, one per output column, one per output row. */
const BIAS_CODES = { none: 0, col: 1, row: 2 } as const;

/** adaLN gate: gate.tensor[(row / rowsPerGate) * stride + offset + col] for output row `row` of [batch*M, N]. */
export interface GateSpec {
  tensor: Tensor;
  rowsPerGate: number;
  stride: number;
  offset: number;
}

export interface MatmulOptions {
  /** A is stored [.., K, M]. */
  transA?: boolean;
  /** B is stored [.., N, K] (PyTorch Linear weights). */
  transB?: boolean;
  /** Bias added before the activation or gate: [N] per output column, or [M] with biasAxis 'row'. */
  bias?: Tensor;
  /** 'col' (default): bias[n], a Linear's; 'row': bias[m], e.g. a channels-first 1×1 conv's per-channel bias. */
  biasAxis?: 'col' | 'row';
  /** Default: 'bias' when a bias is given, else 'none'. */
  epilogue?: MatmulEpilogue;
  /** gate-residual: out = residual + gate ⊙ (acc + bias). */
  gate?: GateSpec;
  /** gate-residual and residual (out = residual + acc + bias): same shape as the output, and a different buffer from `out`. */
  residual?: Tensor;
  out?: Tensor;
  /** Force a kernel body; default: the tuned winner for this adapter and shape class, else per adapter kind. */
  variant?: MatmulVariant;
  label?: string;
}

/** The problem a matmul call solves, after shape checks. */
export interface MatmulShape {
  M: number;
  N: number;
  K: number;
  batch: number;
  transA: boolean;
  transB: boolean;
  dtype: StorageDType;
}

/**
 * C = epilogue(op(a) · op(b)). a is [..., M, K] (or [..., K, M] with transA), b is
 * [..., K, N] (or [..., N, K] with transB). Leading (batch) dims must match, or one side has
 * none / a single batch, which is then broadcast. The output is [...batch, M, N].
 */
export function matmul(engine: Engine, a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  const op = opts.label ?? 'matmul';
  const extra = [opts.bias, opts.gate?.tensor, opts.residual, opts.out].filter((t): t is Tensor => !!t);
  const dtype = floatDType(op, a, b, ...extra);
  const { shape, lead, aBatched, bBatched } = checkOperands(op, a, b, opts);
  const { M, N, K, batch } = shape;
  const outShape = [...lead, M, N];
  const epilogue = opts.epilogue ?? (opts.bias ? 'bias' : 'none');
  checkEpilogue(op, epilogue, opts, batch * M, M, N);

  const out = opts.out ?? engine.empty(outShape, dtype);
  if (out.size !== shapeSize(outShape)) throw new ShapeError(`${op}: out must hold ${shapeString(outShape)}, got ${shapeString(out.shape)}`);
  if (opts.residual && shapeString(opts.residual.shape) !== shapeString(out.shape)) {
    throw new ShapeError(`${op}: residual must be ${shapeString(out.shape)} like the output, got ${shapeString(opts.residual.shape)}`);
  }

  const name = opts.variant ?? chooseVariant(engine, shape);
  const def = VARIANTS[name];
  const gate = opts.gate ?? { tensor: a, rowsPerGate: 1, stride: 0, offset: 0 };
  engine.dispatch({
    kernel: def.kernel,
    dtype,
    constants: { ...def.constants, EPILOGUE: EPILOGUE_CODES[epilogue === 'bias' ? 'none' : epilogue], HAS_BIAS: BIAS_CODES[opts.bias ? opts.biasAxis ?? 'col' : 'none'] },
    // Bindings the epilogue does not read still need a buffer: `a` stands in (read-only, so aliasing is allowed).
    bindings: { a, b, bias: opts.bias ?? a, gate: gate.tensor, residual: opts.residual ?? a, out },
    uniforms: {
      M, N, K,
      aStrideM: shape.transA ? 1 : K,
      aStrideK: shape.transA ? M : 1,
      bStrideK: shape.transB ? 1 : N,
      bStrideN: shape.transB ? K : 1,
      aBatch: aBatched ? M * K : 0,
      bBatch: bBatched ? K * N : 0,
      rowsPerGate: gate.rowsPerGate,
      gateStride: gate.stride,
      gateOffset: gate.offset,
    },
    workgroups: [ceilDiv(N, def.tile[1]), ceilDiv(M, def.tile[0]), batch],
    label: op,
  });
  return out;
}

/**
 * y = epilogue(x · weightᵀ + bias) for x [..., K] and a PyTorch Linear weight [N, K];
 * y is [..., N]. The leading dims of x are flattened into M (so gate rows count tokens).
 */
export function linear(engine: Engine, x: Tensor, weight: Tensor, bias?: Tensor, opts: Omit<MatmulOptions, 'bias' | 'transA' | 'transB'> = {}): Tensor {
  const op = opts.label ?? 'linear';
  if (x.shape.length < 1 || weight.shape.length !== 2) {
    throw new ShapeError(`${op}: expects x [..., K] and weight [N, K], got x ${shapeString(x.shape)} and weight ${shapeString(weight.shape)}`);
  }
  const K = x.shape[x.shape.length - 1];
  const [N, wK] = weight.shape;
  if (wK !== K) throw new ShapeError(`${op}: x ${shapeString(x.shape)} has K=${K} but weight ${shapeString(weight.shape)} has K=${wK}`);
  const lead = x.shape.slice(0, -1);
  const out = opts.out ?? engine.empty([...lead, N], floatDType(op, x, weight));
  return matmul(engine, x.reshape([shapeSize(lead), K]), weight, { ...opts, bias, transB: true, out, label: op });
}

function checkOperands(op: string, a: Tensor, b: Tensor, opts: MatmulOptions) {
  if (a.shape.length < 2 || b.shape.length < 2) {
    throw new ShapeError(`${op}: a and b need rank >= 2, got a ${shapeString(a.shape)} and b ${shapeString(b.shape)}`);
  }
  const transA = !!opts.transA;
  const transB = !!opts.transB;
  const [a0, a1] = a.shape.slice(-2);
  const [b0, b1] = b.shape.slice(-2);
  const [M, K] = transA ? [a1, a0] : [a0, a1];
  const [bK, N] = transB ? [b1, b0] : [b0, b1];
  if (K !== bK) {
    throw new ShapeError(
      `${op}: inner dimensions differ: a ${shapeString(a.shape)}${transA ? 'ᵀ' : ''} has K=${K}, b ${shapeString(b.shape)}${transB ? 'ᵀ' : ''} has K=${bK}`,
    );
  }
  const aLead = a.shape.slice(0, -2);
  const bLead = b.shape.slice(0, -2);
  const aCount = shapeSize(aLead);
  const bCount = shapeSize(bLead);
  const same = shapeString(aLead) === shapeString(bLead);
  if (!same && aCount !== 1 && bCount !== 1) {
    throw new ShapeError(`${op}: batch dims of a ${shapeString(a.shape)} and b ${shapeString(b.shape)} differ and neither is a single batch`);
  }
  const lead = aCount > 1 ? aLead : bCount > 1 ? bLead : aLead.length >= bLead.length ? aLead : bLead;
  const batch = Math.max(aCount, bCount);
  const shape: MatmulShape = { M, N, K, batch, transA, transB, dtype: a.dtype as StorageDType };
  return { shape, lead, aBatched: aCount > 1, bBatched: bCount > 1 };
}

function checkEpilogue(op: string, epilogue: MatmulEpilogue, opts: MatmulOptions, rows: number, M: number, N: number) {
  if (!(epilogue in EPILOGUE_CODES) && epilogue !== 'bias') throw new ShapeError(`${op}: unknown epilogue '${epilogue}'`);
  if (epilogue === 'bias' && !opts.bias) throw new ShapeError(`${op}: epilogue 'bias' needs a bias tensor`);
  const axis = opts.biasAxis ?? 'col';
  if (axis !== 'col' && axis !== 'row') throw new ShapeError(`${op}: biasAxis must be 'col' or 'row', got '${axis}'`);
  const biasSize = axis === 'row' ? M : N;
  if (opts.bias && shapeString(opts.bias.shape) !== shapeString([biasSize])) {
    throw new ShapeError(`${op}: bias must be [${biasSize}] (one per output ${axis === 'row' ? 'row' : 'column'}), got ${shapeString(opts.bias.shape)}`);
  }
  if (epilogue === 'residual') {
    if (opts.gate) throw new ShapeError(`${op}: gate is only used by the 'gate-residual' epilogue (got 'residual')`);
    if (!opts.residual) throw new ShapeError(`${op}: epilogue 'residual' needs a residual tensor`);
    return;
  }
  if (epilogue !== 'gate-residual') {
    if (opts.gate || opts.residual) throw new ShapeError(`${op}: gate and residual are only used by the 'gate-residual' and 'residual' epilogues (got '${epilogue}')`);
    return;
  }
  const g = opts.gate;
  if (!g || !opts.residual) throw new ShapeError(`${op}: epilogue 'gate-residual' needs both gate and residual`);
  if (![g.rowsPerGate, g.stride, g.offset].every((v) => Number.isInteger(v) && v >= 0) || g.rowsPerGate < 1) {
    throw new ShapeError(`${op}: gate needs integer rowsPerGate >= 1, stride >= 0 and offset >= 0, got ${JSON.stringify({ ...g, tensor: undefined })}`);
  }
  const last = Math.floor((rows - 1) / g.rowsPerGate) * g.stride + g.offset + N - 1;
  if (rows > 0 && last >= g.tensor.size) {
    throw new ShapeError(`${op}: gate ${shapeString(g.tensor.shape)} is too small: ${rows} rows in groups of ${g.rowsPerGate} with stride ${g.stride} and offset ${g.offset} read index ${last}`);
  }
}

// ---- variant choice ----------------------------------------------------------------------

/** Shape class for tuning: dtype, transposes and each dim rounded up to a power of two. */
export function matmulTuningKey(engine: Engine, s: MatmulShape): string {
  const p2 = (d: number) => 2 ** Math.ceil(Math.log2(Math.max(d, 1)));
  return `${adapterKey(engine)}|matmul:${s.dtype}:${s.transA ? 'T' : 'N'}${s.transB ? 'T' : 'N'}:${p2(s.batch * s.M)}x${p2(s.N)}x${p2(s.K)}`;
}

export function chooseVariant(engine: Engine, s: MatmulShape): MatmulVariant {
  const tuned = tunedChoice(engine, matmulTuningKey(engine, s));
  if (tuned && tuned in VARIANTS) return tuned as MatmulVariant;
  // Lavapipe turns every per-thread load into a gather across SIMD lanes, so big register
  // blocks win there. SwiftShader runs the workgroup-tiled kernel about 2x faster than
  // regblock16 at SiT's Linear shapes (measured in Chromium), as GPUs do.
  if (!usesCpuKernels(engine)) return 'tiled';
  // 16x16 blocks waste most of their work when a dimension is much smaller than the block.
  return s.M >= 48 && s.N >= 48 ? 'regblock16' : 'regblock';
}

/**
 * Times the fast variants once on this shape (random data) and remembers the winner for its
 * shape class; later matmul calls of that class use it.
 */
export async function autotuneMatmul(
  engine: Engine,
  s: Omit<MatmulShape, 'dtype'> & { dtype?: StorageDType },
  candidates: readonly MatmulVariant[] = ['regblock', 'regblock16', 'tiled'],
): Promise<{ winner: MatmulVariant; ms: Record<string, number> }> {
  const shape: MatmulShape = { dtype: 'f32', ...s };
  const { M, N, K, batch, dtype } = shape;
  const a = engine.upload(randomData(batch * M * K), [batch, ...(shape.transA ? [K, M] : [M, K])], dtype);
  const b = engine.upload(randomData(batch * K * N), [batch, ...(shape.transB ? [N, K] : [K, N])], dtype);
  const out = engine.empty([batch, M, N], dtype);
  try {
    const run = (variant: string) => matmul(engine, a, b, { transA: shape.transA, transB: shape.transB, out, variant: variant as MatmulVariant, label: 'matmul-autotune' });
    const result = await tune(engine, matmulTuningKey(engine, shape), candidates, run);
    return { winner: result.winner as MatmulVariant, ms: result.ms };
  } finally {
    a.dispose();
    b.dispose();
    out.dispose();
  }
}

function randomData(n: number): Float32Array {
  let s = 12345;
  return Float32Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1);
}

/** Every variant the op can dispatch (both dtypes, every epilogue), for the compile-all test. */
export const MATMUL_VARIANTS: KernelVariantSpec[] = Object.values(VARIANTS).flatMap((def) =>
  bothDTypes(
    def.kernel,
    Object.values(EPILOGUE_CODES).flatMap((EPILOGUE) => Object.values(BIAS_CODES).map((HAS_BIAS) => ({ ...def.constants, EPILOGUE, HAS_BIAS }))),
  ),
);
