/**
 * Matrix multiply with fused epilogues: C[b] = epilogue(op(A[b]) · op(B[b])).
 *
 * Every kernel is an operands file (matmul_operands_scalar.wgsl, or matmul_operands_vec4.wgsl
 * binding A and B as vec4 arrays), the shared head (matmul_common.wgsl: bindings, strides,
 * epilogue) and a body:
 *  - regblock: register-blocked, no workgroup memory (fastest on CPU adapters), in two block
 *    sizes: 'regblock' 4x4 outputs per thread (small shapes), 'regblock16' 16x16 (large);
 *  - tiled (GPUs): 64x64 workgroup tiles, 4x4 per thread, 16-deep K panels in swizzled
 *    (bank-conflict-free) workgroup memory, quads of 4 loaded along each operand's contiguous
 *    dim (matmul_tiled_core.wgsl);
 *  - gemv (GPUs, M <= 8 with Linear weights [N, K]): threads split K, no M tiling;
 *  - splitk (GPUs, K much larger than M and N): the tiled core over K splits into an f32
 *    scratch, then a reduce kernel that applies the epilogue;
 *  - naive: one output per thread (benchmark baseline).
 * 'tiled', 'gemv' and 'splitk' load with vec4 when both operands' contiguous dims are
 * multiples of 4, else with scalar loads; their '-scalar' forms always load scalars.
 * Transposes and batch broadcasting are strides in the uniform, so they need no variants.
 */
import commonSource from '../../shaders/matmul_common.wgsl';
import gemvSource from '../../shaders/matmul_gemv.wgsl';
import naiveSource from '../../shaders/matmul_naive.wgsl';
import scalarOperands from '../../shaders/matmul_operands_scalar.wgsl';
import vec4Operands from '../../shaders/matmul_operands_vec4.wgsl';
import regblockSource from '../../shaders/matmul_regblock.wgsl';
import splitkSource from '../../shaders/matmul_splitk.wgsl';
import splitkReduceSource from '../../shaders/matmul_splitk_reduce.wgsl';
import tiledCoreSource from '../../shaders/matmul_tiled_core.wgsl';
import tiledSource from '../../shaders/matmul_tiled.wgsl';
import type { Engine } from '../engine.js';
import { ShapeError } from '../errors.js';
import type { Kernel, StorageDType } from '../pipelines.js';
import { shapeSize, shapeString, type Tensor } from '../tensor.js';
import { adapterKey, usesCpuKernels, tune, tunedChoice } from './autotune.js';
import { bothDTypes, ceilDiv, floatDType, grid, type KernelVariantSpec } from './common.js';

export type MatmulVariant =
  | 'regblock' | 'regblock16' | 'tiled' | 'tiled-scalar' | 'gemv' | 'gemv-scalar' | 'splitk' | 'splitk-scalar' | 'naive';
export type MatmulEpilogue = 'none' | 'bias' | 'gelu' | 'silu' | 'gate-residual' | 'residual';

const MATMUL_VARIANT_NAMES: readonly MatmulVariant[] = ['regblock', 'regblock16', 'tiled', 'tiled-scalar', 'gemv', 'gemv-scalar', 'splitk', 'splitk-scalar', 'naive'];

/** A matmul kernel: operands file + shared head + body. */
const kernel = (name: string, operands: string, ...body: string[]): Kernel => ({ name, source: operands + commonSource + body.join('') });
const KERNELS = {
  naive: kernel('matmul_naive', scalarOperands, naiveSource),
  regblock: kernel('matmul_regblock', scalarOperands, regblockSource),
  tiled: kernel('matmul_tiled', scalarOperands, tiledCoreSource, tiledSource),
  tiledVec4: kernel('matmul_tiled_vec4', vec4Operands, tiledCoreSource, tiledSource),
  gemv: kernel('matmul_gemv', scalarOperands, gemvSource),
  gemvVec4: kernel('matmul_gemv_vec4', vec4Operands, gemvSource),
  splitk: kernel('matmul_splitk', scalarOperands, tiledCoreSource, splitkSource),
  splitkVec4: kernel('matmul_splitk_vec4', vec4Operands, tiledCoreSource, splitkSource),
  splitkReduce: kernel('matmul_splitk_reduce', scalarOperands, splitkReduceSource),
};
const REGBLOCK = { TM: 4, TN4: 1, WG_X: 16, WG_Y: 4 };
const REGBLOCK16 = { TM: 16, TN4: 4, WG_X: 4, WG_Y: 4 };
/** Output tile of the workgroup-tiled kernels (matmul_tiled_core.wgsl TILE) and their K panel depth. */
const TILE = 64;
const BK = 16;
/** GEMV: output columns per workgroup, and the largest M it is chosen for. */
const GEMV_COLS = 32;
export const GEMV_MAX_M = 8;

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
  const plan = planMatmul(engine, shape, opts.variant);

  const out = opts.out ?? engine.empty(outShape, dtype);
  if (out.size !== shapeSize(outShape)) throw new ShapeError(`${op}: out must hold ${shapeString(outShape)}, got ${shapeString(out.shape)}`);
  if (opts.residual && shapeString(opts.residual.shape) !== shapeString(out.shape)) {
    throw new ShapeError(`${op}: residual must be ${shapeString(out.shape)} like the output, got ${shapeString(opts.residual.shape)}`);
  }

  if (out.size === 0) return out;
  const gate = opts.gate ?? { tensor: a, rowsPerGate: 1, stride: 0, offset: 0 };
  const epilogueConstants = { EPILOGUE: EPILOGUE_CODES[epilogue === 'bias' ? 'none' : epilogue], HAS_BIAS: BIAS_CODES[opts.bias ? opts.biasAxis ?? 'col' : 'none'] };
  // Bindings the epilogue does not read still need a buffer: `a` stands in (read-only, so aliasing is allowed).
  const bindings = { a, b, bias: opts.bias ?? a, gate: gate.tensor, residual: opts.residual ?? a, out };
  const uniforms = {
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
    kSplit: plan.kSplit,
    batchCount: batch,
  };
  if (plan.splits > 1 || plan.variant.startsWith('splitk')) {
    // Partial sums of each K split into an f32 scratch, then one reduce pass with the epilogue;
    // both dispatches are recorded in this step, so the scratch can be released right after.
    const partial = engine.empty([plan.splits, batch * M, N], 'f32');
    engine.dispatch({ kernel: plan.kernel, dtype, constants: plan.constants, bindings: { ...bindings, bias: a, gate: a, residual: a, partial }, uniforms, workgroups: plan.workgroups, label: `${op} (split-K partials)` });
    engine.dispatch({
      kernel: KERNELS.splitkReduce, dtype, constants: epilogueConstants, bindings: { ...bindings, partial }, uniforms,
      workgroups: grid(engine, ceilDiv(batch * M * N, 256)), label: `${op} (split-K reduce)`,
    });
    partial.dispose();
    return out;
  }
  engine.dispatch({ kernel: plan.kernel, dtype, constants: { ...plan.constants, ...epilogueConstants }, bindings, uniforms, workgroups: plan.workgroups, label: op });
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

/**
 * The variant for a shape when none is forced: the tuned winner for this adapter and shape
 * class if there is one (and it can run this shape), else by adapter kind and shape.
 */
export function chooseVariant(engine: Engine, s: MatmulShape): MatmulVariant {
  const tuned = tunedChoice(engine, matmulTuningKey(engine, s));
  if (tuned && (MATMUL_VARIANT_NAMES as readonly string[]).includes(tuned) && variantApplies(tuned as MatmulVariant, s)) return tuned as MatmulVariant;
  if (usesCpuKernels(engine)) {
    // Lavapipe turns every per-thread load into a gather across SIMD lanes, so big register
    // blocks win there; 16x16 blocks waste most of their work when a dimension is much
    // smaller than the block.
    return s.M >= 48 && s.N >= 48 ? 'regblock16' : 'regblock';
  }
  // GPUs (SwiftShader too: it runs the workgroup-tiled kernel about 2x faster than regblock16
  // at SiT's Linear shapes, measured in Chromium). A few rows times a Linear weight: GEMV.
  if (s.M <= GEMV_MAX_M && gemvApplies(s)) return 'gemv';
  // Too few tiles to fill the GPU while K is long: split K.
  if (splitPlan(s, false).splits > 1) return 'splitk';
  return 'tiled';
}

/**
 * The family's body whose result for an output row does not depend on how many rows the call
 * has (chooseVariant switches to GEMV or split-K by M, which sum K in another order): for
 * Linears whose rows are batched in varying numbers and must not change with the batch.
 */
export function rowStableVariant(engine: Engine): MatmulVariant {
  return usesCpuKernels(engine) ? 'regblock' : 'tiled';
}

/** GEMV reads both operands along K: A [M, K] and B [N, K] (transB), as a Linear's. */
function gemvApplies(s: MatmulShape): boolean {
  return (!s.transA || s.M === 1) && (s.transB || s.N === 1);
}

function variantApplies(v: MatmulVariant, s: MatmulShape): boolean {
  return v.startsWith('gemv') ? gemvApplies(s) : true;
}

/**
 * Whether the vec4 operand files can serve this shape: the kernels walk each operand along its
 * contiguous dim (the one with element stride 1: K for A [M, K] and B [N, K], else M or N), and
 * vec4 loads need that dim to be a multiple of 4 (so every quad start, row stride and batch
 * stride is). Both operands or neither.
 */
export function vec4Loads(s: Pick<MatmulShape, 'M' | 'N' | 'K' | 'transA' | 'transB'>): boolean {
  const aRun = !s.transA || s.M === 1 ? s.K : s.M;
  const bRun = s.transB || s.N === 1 ? s.K : s.N;
  return aRun % 4 === 0 && bRun % 4 === 0 && aRun > 0 && bRun > 0;
}

/**
 * Split-K: S splits of kSplit (a multiple of the K panel) elements each. Chosen when the
 * output has fewer than 32 tiles and K >= 1024: about 128 workgroups, at most 16 splits, each
 * at least 256 deep. A forced split-K variant always splits K in 2..16 (K permitting).
 */
export function splitPlan(s: Pick<MatmulShape, 'M' | 'N' | 'K' | 'batch'>, forced: boolean): { splits: number; kSplit: number } {
  const tiles = ceilDiv(s.M, TILE) * ceilDiv(s.N, TILE) * s.batch;
  let splits = 1;
  if (forced) splits = Math.min(16, Math.max(2, ceilDiv(s.K, 256)));
  else if (tiles < 32 && s.K >= 1024) splits = Math.min(16, ceilDiv(128, tiles), Math.floor(s.K / 256));
  const kSplit = Math.max(BK, ceilDiv(ceilDiv(s.K, Math.max(splits, 1)), BK) * BK);
  return { splits: Math.max(1, ceilDiv(s.K, kSplit)), kSplit };
}

/** What one matmul call dispatches: the variant, its kernel (vec4 or scalar loads) and grid. */
export interface MatmulPlan {
  variant: MatmulVariant;
  kernel: Kernel;
  /** Variant constants, without the epilogue's (EPILOGUE, HAS_BIAS). */
  constants: Record<string, number>;
  workgroups: [number, number, number];
  vec4: boolean;
  /** K splits (1 unless split-K) and the K elements per split. */
  splits: number;
  kSplit: number;
}

/**
 * The plan for a shape: `variant` forces the kernel body ('-vec4'-capable bodies still fall
 * back to scalar loads when the layout does not allow vec4), else chooseVariant picks it.
 */
export function planMatmul(engine: Engine, s: MatmulShape, variant?: MatmulVariant): MatmulPlan {
  const name = variant ?? chooseVariant(engine, s);
  if (!MATMUL_VARIANT_NAMES.includes(name)) throw new ShapeError(`matmul: unknown variant '${name}' (one of ${MATMUL_VARIANT_NAMES.join(', ')})`);
  if (!variantApplies(name, s)) {
    throw new ShapeError(`matmul: variant '${name}' needs A [M, K] and B [N, K] (transB), got ${s.transA ? 'Aᵀ' : 'A'}·${s.transB ? 'Bᵀ' : 'B'} with M=${s.M}, N=${s.N}`);
  }
  const { M, N, K, batch } = s;
  const vec4 = !name.endsWith('-scalar') && vec4Loads(s);
  const base = { variant: name, vec4: false, splits: 1, kSplit: Math.max(K, 1) };
  const tiles: [number, number, number] = [ceilDiv(N, TILE), ceilDiv(M, TILE), batch];
  switch (name) {
    case 'naive':
      return { ...base, kernel: KERNELS.naive, constants: {}, workgroups: [ceilDiv(N, 16), ceilDiv(M, 16), batch] };
    case 'regblock':
      return { ...base, kernel: KERNELS.regblock, constants: REGBLOCK, workgroups: [ceilDiv(N, 64), ceilDiv(M, 16), batch] };
    case 'regblock16':
      return { ...base, kernel: KERNELS.regblock, constants: REGBLOCK16, workgroups: [ceilDiv(N, 64), ceilDiv(M, 64), batch] };
    case 'tiled':
    case 'tiled-scalar':
      return { ...base, vec4, kernel: vec4 ? KERNELS.tiledVec4 : KERNELS.tiled, constants: {}, workgroups: tiles };
    case 'gemv':
    case 'gemv-scalar': {
      const ROWS = M <= 4 ? 4 : 8;
      return { ...base, vec4, kernel: vec4 ? KERNELS.gemvVec4 : KERNELS.gemv, constants: { ROWS }, workgroups: [ceilDiv(N, GEMV_COLS), ceilDiv(M, ROWS), batch] };
    }
    case 'splitk':
    case 'splitk-scalar': {
      const { splits, kSplit } = splitPlan(s, variant !== undefined);
      return { variant: name, vec4, splits, kSplit, kernel: vec4 ? KERNELS.splitkVec4 : KERNELS.splitk, constants: {}, workgroups: [tiles[0], tiles[1], batch * splits] };
    }
  }
}

/** The variants autotuneMatmul times by default: per kernel family, those that can run the shape. */
export function matmulCandidates(engine: Engine, s: MatmulShape): MatmulVariant[] {
  if (usesCpuKernels(engine)) return ['regblock', 'regblock16', 'tiled'];
  return ['tiled', 'splitk', ...(gemvApplies(s) ? (['gemv'] as const) : [])];
}

/**
 * Times the fast variants once on this shape (random data) and remembers the winner for its
 * shape class; later matmul calls of that class use it.
 */
export async function autotuneMatmul(
  engine: Engine,
  s: Omit<MatmulShape, 'dtype'> & { dtype?: StorageDType },
  candidates?: readonly MatmulVariant[],
): Promise<{ winner: MatmulVariant; ms: Record<string, number> }> {
  const shape: MatmulShape = { dtype: 'f32', ...s };
  const { M, N, K, batch, dtype } = shape;
  const a = engine.upload(randomData(batch * M * K), [batch, ...(shape.transA ? [K, M] : [M, K])], dtype);
  const b = engine.upload(randomData(batch * K * N), [batch, ...(shape.transB ? [N, K] : [K, N])], dtype);
  const out = engine.empty([batch, M, N], dtype);
  try {
    const run = (variant: string) => matmul(engine, a, b, { transA: shape.transA, transB: shape.transB, out, variant: variant as MatmulVariant, label: 'matmul-autotune' });
    const result = await tune(engine, matmulTuningKey(engine, shape), candidates ?? matmulCandidates(engine, shape), run);
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

const EPILOGUE_SETS = Object.values(EPILOGUE_CODES).flatMap((EPILOGUE) => Object.values(BIAS_CODES).map((HAS_BIAS) => ({ EPILOGUE, HAS_BIAS })));
const withEpilogues = (kernel: Kernel, constants: Record<string, number> = {}) => bothDTypes(kernel, EPILOGUE_SETS.map((e) => ({ ...constants, ...e })));

/** Every variant the op can dispatch (both dtypes, every epilogue), for the compile-all test. */
export const MATMUL_VARIANTS: KernelVariantSpec[] = [
  ...withEpilogues(KERNELS.naive),
  ...withEpilogues(KERNELS.regblock, REGBLOCK),
  ...withEpilogues(KERNELS.regblock, REGBLOCK16),
  ...withEpilogues(KERNELS.tiled),
  ...withEpilogues(KERNELS.tiledVec4),
  ...[4, 8].flatMap((ROWS) => [...withEpilogues(KERNELS.gemv, { ROWS }), ...withEpilogues(KERNELS.gemvVec4, { ROWS })]),
  // The partials carry no epilogue: the reduce applies it.
  ...bothDTypes(KERNELS.splitk, [{}]),
  ...bothDTypes(KERNELS.splitkVec4, [{}]),
  ...withEpilogues(KERNELS.splitkReduce),
];
